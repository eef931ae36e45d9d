// Prometheus metrics of one daemon, on a registry of its own (no global state: two daemons in one
// test process do not share counters).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics({ defaults = true }: { defaults?: boolean } = {}) {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: "riskgate_" });
  const m = {
    registry,
    scores: new Histogram({
      name: "riskgate_score_bps",
      help: "Risk scores issued (basis points)",
      labelNames: ["source", "decision"] as const,
      buckets: [100, 500, 1000, 2000, 3000, 5000, 7000, 8000, 9000, 10000],
      registers: [registry],
    }),
    scoreLatency: new Histogram({
      name: "riskgate_score_seconds",
      help: "Time to score one payment (features + model + rules)",
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
      registers: [registry],
    }),
    httpLatency: new Histogram({
      name: "riskgate_http_request_seconds",
      help: "HTTP request latency",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    eventToPost: new Histogram({
      name: "riskgate_event_to_post_seconds",
      help: "From the payment event seen to the attestation mined",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    attestations: new Counter({
      name: "riskgate_attestations_total",
      help: "Attestations signed, by mode (push|pull|cosign)",
      labelNames: ["mode"] as const,
      registers: [registry],
    }),
    postingFailures: new Counter({
      name: "riskgate_posting_failures_total",
      help: "Failed posting attempts, by kind (retryable|fatal|skipped)",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: "riskgate_queue_depth", help: "Signed attestations waiting to be posted", registers: [registry] }),
    chainHead: new Gauge({ name: "riskgate_chain_head_block", help: "Latest block seen on the RPC", registers: [registry] }),
    chainLag: new Gauge({ name: "riskgate_chain_lag_blocks", help: "Chain head minus the processed cursor", registers: [registry] }),
    storeHealthy: new Gauge({
      name: "riskgate_store_healthy",
      help: "1 while the store accepts writes, 0 while it does not (disk full, I/O error: see /readyz for the reason)",
      registers: [registry],
    }),
    reorgs: new Counter({ name: "riskgate_reorgs_total", help: "Reorgs detected", registers: [registry] }),
    rateLimited: new Counter({ name: "riskgate_rate_limited_total", help: "Requests refused with 429", registers: [registry] }),
  };
  return m;
}
