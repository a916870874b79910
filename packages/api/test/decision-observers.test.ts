import { DecisionCounters, type DecisionTiming } from "@fraud/core";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApi } from "../src/app.ts";
import { answeredDecision, nodeListener } from "../src/node.ts";
import { testApp, TEST_KEY, type TestApp } from "./helpers.ts";

/*
 * Scoring on the event loop (FRAUD_SCORING_THREAD=off), as the local server runs it: each decision
 * is counted for GET /metrics, its steps timed for its trace, and its outcome known to the request's log line.
 */

let t: TestApp;
let server: Server;
let base: string;
const counters = new DecisionCounters();
const traced: Array<{ parent: string | undefined; timing: DecisionTiming; status: number }> = [];
const outcomes: Array<string | undefined> = [];

beforeAll(async () => {
  t = await testApp();
  const api = createApi({
    scoring: t.platform.scoring,
    decisions: t.platform.decisions,
    apiKeys: t.platform.apiKeys,
    logger: { error: () => undefined, warn: () => undefined },
    counters,
    traceDecision: async (parent, run) => {
      const timing: DecisionTiming = { scoreStart: 0, scoreEnd: 0, commitStart: 0, commitEnd: 0, batchSize: 0 };
      const answer = await run(timing);
      traced.push({ parent, timing, status: answer.status });
      return answer;
    },
  });
  const listen = nodeListener(api);
  server = createServer((req, res) => {
    res.once("finish", () => outcomes.push(answeredDecision(res)));
    listen(req, res);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await t.cleanup();
});

describe("a decision scored on the event loop", () => {
  it("is counted by outcome and latency, timed for its trace under the request's span, and named to the log line", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const res = await fetch(`${base}/api/transactions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json", traceparent },
      body: JSON.stringify({ transaction_id: "observed-1", user_id: "user_001", amount: 7500, merchant_id: "MERCH_SUSPICIOUS", device_id: "device_unknown" }),
    });
    expect(res.status).toBe(200);
    const { decision } = (await res.json()) as { decision: "APPROVED" | "REVIEW" | "BLOCKED" };
    const figures = counters.read();
    expect(figures.byOutcome[decision]).toBe(1);
    expect(Object.values(figures.byOutcome).reduce((a, b) => a + b, 0)).toBe(1);
    expect(figures.latencyBuckets.reduce((a, b) => a + b, 0)).toBe(1);
    expect(figures.latencySumSeconds).toBeGreaterThan(0);

    expect(traced).toHaveLength(1);
    const [{ parent, timing, status }] = traced as [(typeof traced)[0]];
    expect(parent).toBe(traceparent);
    expect(status).toBe(200);
    expect(timing.scoreEnd).toBeGreaterThanOrEqual(timing.scoreStart);
    expect(timing.scoreStart).toBeGreaterThan(0);
    expect(timing.commitStart).toBeGreaterThanOrEqual(timing.scoreEnd);
    expect(timing.commitEnd).toBeGreaterThanOrEqual(timing.commitStart);
    expect(timing.batchSize).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(outcomes).toEqual([decision]);
  });

  it("counts a retried transaction once, and an invalid one not at all", async () => {
    const before = counters.read();
    const body = { transaction_id: "observed-2", user_id: "user_002", amount: 10, merchant_id: "M" };
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/api/transactions`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
    }
    const invalid = await fetch(`${base}/api/transactions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(invalid.status).toBe(400);
    const total = (f: typeof before) => Object.values(f.byOutcome).reduce((a, b) => a + b, 0);
    expect(total(counters.read()) - total(before)).toBe(1);
  });
});
