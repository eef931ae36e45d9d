// `riskgate oracle start | keys new | keys show-address | apikey create|list|revoke | import-history`
import { readFileSync } from "node:fs";
import { type Command, CommanderError, Option } from "commander";
import { type ConfigKey, configOptions, describeConfig, loadConfig } from "../../config.js";
import { createApiKey } from "../../http/apiKeys.js";
import { createKeystore, readKeystoreAddress } from "../../keys/keystore.js";
import { HistoryImportError, importHistoryFile } from "../../store/importHistory.js";
import { createSqliteStore } from "../../store/sqliteStore.js";

/** Passphrase for `keys new`: --passphrase-file, else KEYSTORE_PASSPHRASE_FILE, else KEYSTORE_PASSPHRASE. */
function passphraseFrom(file: string | undefined, env: NodeJS.ProcessEnv): string {
  const f = file ?? env.KEYSTORE_PASSPHRASE_FILE;
  if (f) return readFileSync(f, "utf8").replace(/\r?\n$/, "");
  if (env.KEYSTORE_PASSPHRASE !== undefined) return env.KEYSTORE_PASSPHRASE;
  throw new Error("no passphrase: pass --passphrase-file or set KEYSTORE_PASSPHRASE(_FILE)");
}

export function registerOracleCommands(program: Command): void {
  const oracle = program.command("oracle").description("the oracle daemon: watch, score, sign, post; HTTP API; keys");

  const start = oracle
    .command("start")
    .description("start the daemon (every option also reads from its env variable or --config JSON file)")
    .option("--config <file>", "JSON config file (camelCase keys) (env CONFIG_FILE)");
  for (const d of describeConfig()) {
    // No commander default: an unset flag must not hide the env or file value.
    start.addOption(new Option(`${d.flag} <value>`, `${d.description} (env ${d.env}) (default: ${d.default})`));
  }
  start.action(async (flags: Record<string, string | undefined>) => {
    const overrides: Partial<Record<ConfigKey, unknown>> = {};
    for (const key of Object.keys(configOptions) as ConfigKey[]) if (flags[key] !== undefined) overrides[key] = flags[key];
    const config = loadConfig({ file: flags.config, overrides });
    const { startDaemon } = await import("../../index.js");
    const daemon = await startDaemon({ config, handleSignals: true });
    await daemon.stopped;
  });

  const keys = oracle.command("keys").description("operator key (encrypted JSON keystore V3, scrypt)");
  keys
    .command("new")
    .description("generate an operator key into an encrypted keystore; prints its address")
    .option("--keystore <file>", "keystore path (env KEYSTORE_PATH)", process.env.KEYSTORE_PATH ?? "./keys/operator.json")
    .option("--passphrase-file <file>", "file with the passphrase (else env KEYSTORE_PASSPHRASE_FILE / KEYSTORE_PASSPHRASE)")
    .option("--scrypt-n <n>", "scrypt cost N (power of two; default ethers' 131072)")
    .option("--force", "overwrite an existing keystore")
    .action(async (o: { keystore: string; passphraseFile?: string; scryptN?: string; force?: boolean }) => {
      const address = await createKeystore({
        path: o.keystore,
        passphrase: passphraseFrom(o.passphraseFile, process.env),
        scryptN: o.scryptN === undefined ? undefined : Number(o.scryptN),
        force: o.force ?? false,
      });
      process.stdout.write(`${address}\n`);
    });
  keys
    .command("show-address")
    .description("print the operator address recorded in the keystore (no passphrase needed)")
    .option("--keystore <file>", "keystore path (env KEYSTORE_PATH)", process.env.KEYSTORE_PATH ?? "./keys/operator.json")
    .action((o: { keystore: string }) => {
      process.stdout.write(`${readKeystoreAddress(o.keystore)}\n`);
    });

  const apikey = oracle.command("apikey").description("API keys for the HTTP API (create, list, revoke)");
  apikey
    .command("create")
    .description("create an API key; prints it once (only its sha256 is stored)")
    .requiredOption("--name <name>", "who the key is for")
    .option("--db <file>", "SQLite database (env DB_PATH)", process.env.DB_PATH ?? String(configOptions.dbPath.default))
    .action((o: { name: string; db: string }) => {
      const store = createSqliteStore({ path: o.db });
      try {
        const { key, record } = createApiKey(store, o.name);
        process.stdout.write(`${key}\n`);
        process.stderr.write(`api key #${record.id} "${record.name}" created; store it now, it is not shown again\n`);
      } finally {
        store.close();
      }
    });
  apikey
    .command("list")
    .description("list the API keys (id, name, created, revoked); keys themselves are never stored")
    .option("--db <file>", "SQLite database (env DB_PATH)", process.env.DB_PATH ?? String(configOptions.dbPath.default))
    .option("--json", "print the list as JSON")
    .action((o: { db: string; json?: boolean }) => {
      const store = createSqliteStore({ path: o.db });
      try {
        const keys = store.listApiKeys();
        if (o.json) process.stdout.write(`${JSON.stringify(keys)}\n`);
        else {
          const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());
          process.stdout.write(`${["id", "name", "created", "revoked"].join("\t")}\n`);
          for (const k of keys) process.stdout.write(`${[k.id, k.name, iso(k.createdAt), iso(k.revokedAt)].join("\t")}\n`);
        }
      } finally {
        store.close();
      }
    });
  apikey
    .command("revoke")
    .description("revoke an API key by id (a running daemon refuses it within 5 s: valid keys are cached that long)")
    .requiredOption("--id <id>", "the key's id (see `apikey list`)")
    .option("--db <file>", "SQLite database (env DB_PATH)", process.env.DB_PATH ?? String(configOptions.dbPath.default))
    .action((o: { id: string; db: string }) => {
      const id = Number(o.id);
      if (!Number.isSafeInteger(id) || id < 1) {
        const msg = `apikey revoke: --id must be a positive integer, got "${o.id}"`;
        process.stderr.write(`riskgate: ${msg}\n`);
        throw new CommanderError(2, "riskgate.apikey", msg);
      }
      const store = createSqliteStore({ path: o.db });
      try {
        if (!store.revokeApiKey(id)) throw new Error(`no active api key #${id} in ${o.db}`);
        process.stderr.write(`api key #${id} revoked\n`);
      } finally {
        store.close();
      }
    });

  oracle
    .command("import-history")
    .description(
      "import account transfer history from an external indexer (JSONL, one transfer per line) into the store; " +
        "idempotent, all or nothing (a bad line imports nothing and exits 2)",
    )
    .option("--db <file>", "SQLite database (env DB_PATH)", process.env.DB_PATH ?? String(configOptions.dbPath.default))
    .requiredOption("--file <file>", "JSONL file: {from,to,value,token,decimals,timestamp,blockNumber,...} per line, value as a decimal string")
    .option("--json", "print the result as JSON")
    .action((o: { db: string; file: string; json?: boolean }) => {
      const store = createSqliteStore({ path: o.db });
      let r;
      try {
        r = importHistoryFile(store, o.file);
      } catch (err) {
        if (!(err instanceof HistoryImportError) && !(err instanceof Error && "code" in err && err.code === "HISTORY_IMPORT")) throw err;
        const msg = `import-history: ${(err as Error).message}; nothing imported`;
        if (o.json) process.stdout.write(`${JSON.stringify({ ok: false, error: msg, line: err instanceof HistoryImportError ? err.line : null })}\n`);
        process.stderr.write(`riskgate: ${msg}\n`);
        throw new CommanderError(2, "riskgate.importHistory", msg);
      } finally {
        store.close();
      }
      if (o.json) process.stdout.write(`${JSON.stringify({ ok: true, file: o.file, db: o.db, ...r })}\n`);
      else process.stdout.write(`imported ${r.inserted} new transfers from ${o.file} (${r.lines} lines, ${r.duplicates} already stored)\n`);
    });
}
