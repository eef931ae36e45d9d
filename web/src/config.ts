// Runtime configuration: query parameters (?rpc=&deployments=&oracle=) win over /config.json.
import type { Deployments } from "../../deploy/types.js";

export type AppConfig = { rpcUrl: string; deploymentsUrl: string; oracleUrl?: string; oracleApiKey?: string };

export async function loadConfig(location: Location = window.location): Promise<AppConfig> {
  const q = new URLSearchParams(location.search);
  let file: Partial<AppConfig> = {};
  try {
    const res = await fetch("/config.json", { cache: "no-store" });
    if (res.ok) file = (await res.json()) as Partial<AppConfig>;
  } catch {
    // no config.json: query parameters only
  }
  const rpcUrl = q.get("rpc") ?? file.rpcUrl;
  const deploymentsUrl = q.get("deployments") ?? file.deploymentsUrl;
  if (!rpcUrl || !deploymentsUrl) throw new Error("missing configuration: give ?rpc=…&deployments=… or serve /config.json");
  return { rpcUrl, deploymentsUrl, oracleUrl: q.get("oracle") ?? file.oracleUrl ?? undefined, oracleApiKey: q.get("key") ?? file.oracleApiKey ?? undefined };
}

export async function loadDeployments(url: string): Promise<Deployments> {
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) throw new Error(`deployments file ${url}: HTTP ${res.status}`);
  return (await res.json()) as Deployments;
}
