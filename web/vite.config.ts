// Vite config of the Riskgate dApp (vanilla TypeScript + viem).
//   npx vite --config web/vite.config.ts           dev server (the demo's --keep-running starts it)
//   npx vite build --config web/vite.config.ts     static build in web/dist
// Runtime configuration (RPC URL, deployments file, oracle API) comes from query parameters or
// /config.json, never from the build.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  clearScreen: false,
  // The reason texts and the deployments type are shared with the oracle and the deploy scripts.
  server: { fs: { allow: [path.resolve(here, "..")] } },
  build: { outDir: path.join(here, "dist"), emptyOutDir: true, target: "es2022" },
});
