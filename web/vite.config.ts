// Vite config of the Riskgate dApp (vanilla TypeScript + viem).
//   npx vite --config web/vite.config.ts           dev server (the demo's --keep-running starts it)
//   npx vite build --config web/vite.config.ts     static build in web/dist
// Runtime configuration (RPC URL, deployments file, oracle API) comes from query parameters or
// /config.json, never from the build.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Plugin, defineConfig } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));
const deploymentsDir = path.resolve(here, "..", "deployments");

/** Serves the repository's deployments/<chainId>.json at /deployments/<chainId>.json (dev server only). */
function deploymentsFiles(): Plugin {
  return {
    name: "riskgate-deployments",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /^\/deployments\/(\d+)\.json(?:\?.*)?$/.exec(req.url ?? "");
        const file = m ? path.join(deploymentsDir, `${m[1]}.json`) : undefined;
        if (!file || !existsSync(file)) return next();
        res.setHeader("content-type", "application/json");
        res.setHeader("cache-control", "no-store");
        res.end(readFileSync(file));
      });
    },
  };
}

/**
 * RISKGATE_ORACLE_PROXY=<oracle API URL> serves it same-origin under /oracle (the daemon's API sends no CORS
 * headers; the demo's --oracle daemon mode sets this).
 */
const oracleProxy = process.env.RISKGATE_ORACLE_PROXY;

export default defineConfig({
  root: here,
  plugins: [deploymentsFiles()],
  server: {
    fs: { allow: [path.resolve(here, "..")] },
    proxy: oracleProxy ? { "/oracle": { target: oracleProxy, changeOrigin: true, rewrite: (p) => p.replace(/^\/oracle/, "") } } : undefined,
  },
  clearScreen: false,
  // (server.fs.allow above: the reason texts and the deployments type are shared with the oracle and deploy.)
  build: { outDir: path.join(here, "dist"), emptyOutDir: true, target: "es2022" },
});
