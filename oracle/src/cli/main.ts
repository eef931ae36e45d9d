// The `riskgate` command line. Entry: oracle/bin/riskgate.js (loads this file through tsx).
import { Command, CommanderError } from "commander";
import { DataError } from "../model/dataError.js";
import { registerModelCommands } from "./commands/model.js";
import { registerScoreCommand } from "./commands/score.js";
import { registerOracleCommands } from "./commands/oracle.js";

export function buildProgram(): Command {
  const program = new Command("riskgate")
    .description("Riskgate: AI risk oracle for stablecoin settlement")
    .showHelpAfterError()
    .exitOverride();
  registerModelCommands(program);
  registerScoreCommand(program);
  // ── Daemon commands (issue 5) register here: ───────────────────────────────────────────
  registerOracleCommands(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof DataError) {
      process.stderr.write(`riskgate: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`riskgate: ${(err as Error).message ?? String(err)}\n`);
    return 1;
  }
}

const code = await main();
process.exitCode = code;
