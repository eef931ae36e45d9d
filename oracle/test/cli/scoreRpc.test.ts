// `riskgate score --rpc` and fetchChainHistory against a real `hardhat node` on loopback.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import type { Address } from "viem";
import { fetchChainHistory } from "../../src/risk/fetchChainHistory.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const port = 20000 + (process.pid % 10000);
const rpc = `http://127.0.0.1:${port}`;
const A0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266" as Address; // hardhat default accounts
const A1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" as Address;
let node: ChildProcess;

async function call(method: string, params: unknown[]): Promise<unknown> {
  const r = await fetch(rpc, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const j = (await r.json()) as { result?: unknown; error?: { message: string } };
  if (j.error) throw new Error(j.error.message);
  return j.result;
}

before(async () => {
  node = spawn(join(root, "node_modules", ".bin", "hardhat"), ["node", "--port", String(port)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("hardhat node did not start")), 60_000);
    node.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("Started HTTP")) {
        clearTimeout(timer);
        resolve();
      }
    });
    node.on("exit", (code) => reject(new Error(`hardhat node exited ${code}`)));
  });
  for (const eth of [1n, 2n, 3n]) {
    await call("eth_sendTransaction", [{ from: A0, to: A1, value: `0x${(eth * 10n ** 18n).toString(16)}` }]);
  }
});
after(() => {
  node?.kill();
});

test("test_fetchChainHistory_ReadsEthTransfers", async () => {
  const t = await fetchChainHistory(rpc, [A1]);
  const mine = t.filter((x) => x.to.toLowerCase() === A1);
  assert.deepEqual(mine.map((x) => x.value), [1n, 2n, 3n].map((e) => e * 10n ** 18n));
  assert.ok(mine.every((x) => x.token === null && x.from.toLowerCase() === A0 && x.toIsContract === false));
});

test("test_cli_ScoreWithRpc_UsesChainHistory", () => {
  const r = spawnSync(process.execPath, [join(root, "oracle", "bin", "riskgate.js"), "score", "--payer", A0, "--payee", A1, "--amount", "100", "--rpc", rpc, "--json"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { reasonNames: string[]; explanation: { feature: string }[] };
  assert.ok(!j.reasonNames.includes("NO_HISTORY"), "both accounts have chain history");
  assert.ok(j.explanation.some((e) => /^(payer|payee): /.test(e.feature)), "model features are explained");
});
