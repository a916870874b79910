/**
 * What the decision path pays for the server's telemetry, per request, in CPU time: a request log
 * line (with and without the logs' redaction pass, and skipped by the level), counting a decision
 * and counting a request. `node --import tsx bench/telemetry-cost.ts`; figures in
 * docs/decisions/041-request-logs-on-the-decision-path.md and 040-metrics-across-processes.md.
 */
import { createWriteStream } from "node:fs";
import { DecisionCounters } from "@fraud/core";
import { createLogger, requestLogger } from "@fraud/core/logger";
import { HttpMetrics } from "../packages/server/src/telemetry/http-metrics.ts";

const ROUNDS = 400;
const PER_ROUND = 250;

/** CPU nanoseconds per call of `f`, yielding between rounds so that the asynchronous writes are counted too. */
async function cpuPerCall(f: (i: number) => void): Promise<number> {
  for (let i = 0; i < 5_000; i++) f(i);
  await new Promise((r) => setImmediate(r));
  const before = process.cpuUsage();
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < PER_ROUND; i++) f(r * PER_ROUND + i);
    await new Promise((ok) => setImmediate(ok));
  }
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / (ROUNDS * PER_ROUND);
}

const sink = createWriteStream("/dev/null");
const log = createLogger({ service: "server", level: "info", destination: sink });
const quiet = createLogger({ service: "server", level: "warn", destination: sink });
const fields = (i: number) => ({
  request_id: "3f1c2b9e-7d4a-4b8e-9c1d-2e3f4a5b6c7d",
  method: "POST",
  route: "/api/transactions",
  status: 200,
  latency_ms: 0.6 + (i % 100) / 1000,
  decision: "APPROVED",
});
const counters = new DecisionCounters();
const decision = { decision: "REVIEW" as const, latency_ms: 0.61, errored_rules: [], fallback_reason: null };
const http = new HttpMetrics();

const requests = requestLogger(log);
const quietRequests = requestLogger(quiet);
const figures: Array<[string, number]> = [
  ["an empty round (the measure's own cost)", await cpuPerCall(() => undefined)],
  ["request line, with the redaction pass (createLogger)", await cpuPerCall((i) => log.info(fields(i), "request"))],
  ["request line, without it (requestLogger)", await cpuPerCall((i) => requests.info(fields(i), "request"))],
  ["request line below FRAUD_LOG_LEVEL (warn)", await cpuPerCall((i) => quietRequests.info(fields(i), "request"))],
  ["DecisionCounters.count", await cpuPerCall(() => counters.count(decision))],
  ["HttpMetrics.observe", await cpuPerCall((i) => http.observe(3, "POST", 200, 0.0006 + (i % 7) / 10_000))],
];
for (const [name, ns] of figures) console.log(`${name.padEnd(56)} ${Math.round(ns).toLocaleString("en").padStart(7)} ns CPU`);
