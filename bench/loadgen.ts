/**
 * The load generator, run as its own process so that it has its own core: sends `count`
 * transactions at an even `rate` (open model: request i is due at start + i/rate whatever happened
 * to the others) over keep-alive HTTP connections, and records every response's latency measured
 * from its due time, so a server that falls behind is charged for the queueing too. Writes its
 * figures and the acknowledged transaction ids as JSON to `out`.
 *
 * usage: node --import tsx bench/loadgen.ts '<json: {url, apiKey, rate, count, runId, out, seed}>'
 */
import { seededRandom } from "@fraud/core";
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:http";

export interface LoadgenArgs {
  url: string;
  apiKey: string;
  rate: number;
  count: number;
  runId: string;
  out: string;
  seed?: number;
}

export interface LoadgenResult {
  rate_per_s: number;
  sent: number;
  achieved_rate_per_s: number;
  by_status: Record<string, number>;
  errors: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
  /** How late the generator itself issued requests (event-loop lag): its own share of the latency. */
  send_lag_p99_ms: number;
  decisions: Record<string, number>;
  acknowledged: string[];
}

const CITIES = ["Douala, CM", "Yaoundé, CM", "Garoua, CM", "Bamenda, CM", "Bafoussam, CM", "Libreville, GA", "Brazzaville, CG", "N'Djamena, TD"];
const TYPES = ["PAYMENT", "TRANSFER", "CASH_OUT", "CASH_IN"] as const;

/**
 * Everyday traffic for the demo ruleset (whose amounts are in the lab's units): 100,000 customers,
 * each with a usual device, city and amount level, so that at 1,000/s a customer pays about once a
 * minute at most and most decisions are APPROVED, as in production.
 */
function transaction(i: number, runId: string, rnd: () => number, customers = 100_000) {
  const k = Math.floor(rnd() * customers);
  const usual = 30 + (k % 40) * 7;
  return {
    transaction_id: `${runId}-${i}`,
    user_id: `cust_${k}`,
    amount: Math.max(5, Math.round(usual * Math.exp((rnd() - 0.5) * 1.2))),
    merchant_id: `merchant_${Math.floor(rnd() * 200)}`,
    merchant_category: ["GROCERY", "AIRTIME", "TRANSPORT", "BILLS"][k % 4]!,
    device_id: `device_${k}`,
    location: CITIES[k % CITIES.length]!,
    type: TYPES[Math.floor(rnd() * TYPES.length)]!,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (x: number) => Number(x.toFixed(3));

export async function runLoad(args: LoadgenArgs): Promise<LoadgenResult> {
  const target = new URL("/api/transactions", args.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 10_000 });
  const rnd = seededRandom(args.seed ?? 42);
  const latencies = new Float64Array(args.count);
  const lags = new Float64Array(args.count);
  const byStatus: Record<string, number> = {};
  const decisions: Record<string, number> = {};
  const acknowledged: string[] = [];
  let answered = 0;
  let allAnswered: () => void = () => {};
  const finished = new Promise<void>((r) => (allAnswered = r));

  const done = (i: number, due: number, status: string) => {
    latencies[i] = performance.now() - due;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (++answered === args.count) allAnswered();
  };

  let lastSentAt = 0;
  const fire = (i: number, due: number) => {
    lastSentAt = performance.now();
    lags[i] = lastSentAt - due;
    const body = JSON.stringify(transaction(i, args.runId, rnd));
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), authorization: `Bearer ${args.apiKey}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          if (res.statusCode === 200) {
            const answer = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { transaction_id: string; decision: string };
            acknowledged.push(answer.transaction_id);
            decisions[answer.decision] = (decisions[answer.decision] ?? 0) + 1;
          }
          done(i, due, String(res.statusCode));
        });
        res.on("error", () => done(i, due, "response error"));
      },
    );
    req.on("error", (e) => done(i, due, `error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    req.end(body);
  };

  const interval = 1000 / args.rate;
  const start = performance.now() + 20;
  let i = 0;
  while (i < args.count) {
    const now = performance.now();
    while (i < args.count && start + i * interval <= now) {
      fire(i, start + i * interval);
      i++;
    }
    if (i >= args.count) break;
    const wait = start + i * interval - performance.now();
    // Sleep, never spin: on two cores a generator that polls with setImmediate takes a whole core
    // from the server it measures. setTimeout wakes about 1 ms late at worst; requests due
    // meanwhile go out together, and the lateness is counted in their latency (and shown in
    // send_lag_p99_ms).
    await new Promise<void>((r) => setTimeout(r, Math.max(0, wait)));
  }
  await finished;
  agent.destroy();
  const sorted = latencies.slice().sort();
  const sortedLags = lags.slice().sort();
  const ok = byStatus["200"] ?? 0;
  return {
    rate_per_s: args.rate,
    sent: args.count,
    achieved_rate_per_s: args.count > 1 ? Math.round((args.count - 1) / ((lastSentAt - start) / 1000)) : args.rate,
    by_status: byStatus,
    errors: args.count - ok,
    p50_ms: round(percentile(sorted, 50)),
    p90_ms: round(percentile(sorted, 90)),
    p99_ms: round(percentile(sorted, 99)),
    p999_ms: round(percentile(sorted, 99.9)),
    max_ms: round(sorted[sorted.length - 1] ?? Number.NaN),
    send_lag_p99_ms: round(percentile(sortedLags, 99)),
    decisions,
    acknowledged,
  };
}

if (process.argv[1]?.endsWith("loadgen.ts")) {
  const args = JSON.parse(process.argv[2] ?? "{}") as LoadgenArgs;
  const result = await runLoad(args);
  writeFileSync(args.out, JSON.stringify(result));
}
