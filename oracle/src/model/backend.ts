// TensorFlow.js backend selection: tfjs-node when installed, else wasm (SIMD, files from
// node_modules), else cpu. The choice is made once per process and logged by the caller.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";

export { tf };

let chosen: Promise<string> | undefined;

async function tryTfjsNode(): Promise<boolean> {
  try {
    const name = "@tensorflow/tfjs-node";
    await import(/* optional dependency, absent here */ name);
    return await tf.setBackend("tensorflow");
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
    const file = (f: string): string => join(dist, f);
    wasm.setWasmPaths({
      "tfjs-backend-wasm.wasm": file("tfjs-backend-wasm.wasm"),
      "tfjs-backend-wasm-simd.wasm": file("tfjs-backend-wasm-simd.wasm"),
      "tfjs-backend-wasm-threaded-simd.wasm": file("tfjs-backend-wasm-threaded-simd.wasm"),
    });
    wasm.setThreadsCount?.(1);
    return await tf.setBackend("wasm");
  } catch {
    return false;
  }
}

/**
 * Selects and initialises the backend. `prefer` forces one ("tensorflow" | "wasm" | "cpu"); the
 * environment variable RISKGATE_TF_BACKEND does the same. Returns the backend name in use.
 */
export function selectBackend(prefer?: string): Promise<string> {
  chosen ??= (async () => {
    const want = prefer ?? process.env.RISKGATE_TF_BACKEND;
    const order = want ? [want] : ["tensorflow", "wasm", "cpu"];
    for (const b of order) {
      if (b === "tensorflow" && (await tryTfjsNode())) break;
      if (b === "wasm" && (await tryWasm())) break;
      if (b === "cpu" && (await tf.setBackend("cpu"))) break;
    }
    if (!["tensorflow", "wasm", "cpu"].includes(tf.getBackend())) await tf.setBackend("cpu");
    await tf.ready();
    return tf.getBackend();
  })();
  return chosen;
}
