// `riskgate score --payer 0x.. --payee 0x.. --amount N [--rpc URL] [--json]`
import type { Command } from "commander";
import { isAddress, parseUnits, type Address } from "viem";
import { DataError } from "../../model/dataError.js";
import { DEFAULT_MODEL_DIR } from "../../model/modelBundle.js";
import { createRiskEngine } from "../../risk/createRiskEngine.js";
import { fetchChainHistory } from "../../risk/fetchChainHistory.js";
import { InMemoryHistory } from "../../risk/inMemoryHistory.js";
import { decodeReasons } from "../../risk/reasonCodes.js";

export function registerScoreCommand(program: Command): void {
  program
    .command("score")
    .description("score one payment (account model + rules) and print score, reasons and explanation")
    .requiredOption("--payer <address>", "payer address")
    .requiredOption("--payee <address>", "payee address")
    .requiredOption("--amount <n>", "amount in whole tokens (e.g. 250.5)")
    .option("--token <address>", "token address", "0x0000000000000000000000000000000000000000")
    .option("--decimals <n>", "token decimals", "6")
    .option("--rpc <url>", "JSON-RPC endpoint to read both accounts' history from")
    .option("--blocks <n>", "with --rpc: blocks to scan for ETH transactions", "2000")
    .option("--model <dir>", "model directory", DEFAULT_MODEL_DIR)
    .option("--deny-list <file>", "sanctions/deny list file")
    .option("--json", "print one JSON object on stdout")
    .action(async (o: { payer: string; payee: string; amount: string; token: string; decimals: string; rpc?: string; blocks: string; model: string; denyList?: string; json?: boolean }) => {
      for (const [name, v] of [["--payer", o.payer], ["--payee", o.payee], ["--token", o.token]] as const) {
        if (!isAddress(v, { strict: false })) throw new DataError(`${name} is not an address: "${v}"`);
      }
      let amount: bigint;
      try {
        amount = parseUnits(o.amount, Number(o.decimals));
      } catch {
        throw new DataError(`--amount is not a number: "${o.amount}"`);
      }
      if (amount < 0n) throw new DataError("--amount must not be negative");
      const history = new InMemoryHistory();
      const payer = o.payer as Address;
      const payee = o.payee as Address;
      if (o.rpc) history.addTransfers(await fetchChainHistory(o.rpc, [payer, payee], { maxBlocks: Number(o.blocks) }));
      const engine = await createRiskEngine({ history, modelDir: o.model, denyListPath: o.denyList });
      try {
        const r = engine.score({ payer, payee, token: o.token as Address, amount, timestamp: Math.floor(Date.now() / 1000), decimals: Number(o.decimals) });
        const decision = r.score < engine.bands.allowBelow ? "release" : r.score >= engine.bands.freezeAt ? "freeze" : "hold";
        if (o.json) {
          console.log(JSON.stringify({ ...r, reasonNames: decodeReasons(r.reasons), decision, backend: engine.backend, bands: engine.bands }));
          return;
        }
        console.log(`score     ${r.score} / 10000 → ${decision} (release < ${engine.bands.allowBelow}, freeze >= ${engine.bands.freezeAt})`);
        console.log(`reasons   0x${r.reasons.toString(16).padStart(8, "0")} ${decodeReasons(r.reasons).join(", ")}`);
        console.log(`model     ${r.modelId} (${engine.backend})`);
        for (const e of r.explanation) console.log(`  ${e.contribution >= 0 ? "+" : ""}${e.contribution}\t${e.text}`);
      } finally {
        engine.close();
      }
    });
}
