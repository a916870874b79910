import { Ruleset } from "@fraud/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulators, type Emulators } from "../../core/test/contract/emulators.ts";
import { runPipeline, type Faults, type PipelineRun } from "./pipeline.ts";

// Every decision acknowledged to a client reaches every consumer once in effect, whatever fails
// between the decisions table and the consumers: the forwarder's puts, the consumer's stores, an
// alert channel, the lake writer. Each step retries as its event source does (Lambda, Firehose).

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.stop();
});

const countOf = (ids: string[]) => {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
};
const onceEach = (ids: string[]) => new Map(ids.map((id) => [id, 1]));

async function expectEachConsumerOnce(run: PipelineRun): Promise<void> {
  const all = run.acknowledged.map((d) => d.transaction_id);
  const alerting = run.acknowledged.filter((d) => Ruleset.raisesAlert(d.decision)).map((d) => d.transaction_id);
  expect(alerting.length).toBeGreaterThan(2);
  expect(alerting.length).toBeLessThan(all.length);
  expect(new Set(run.onStream)).toEqual(new Set(all));

  // The alert inbox: one alert per REVIEW/BLOCKED decision, and the open count.
  const inbox = await run.platform.alerts.list({ limit: 500 });
  expect(countOf(inbox.map((a) => a.transaction_id))).toEqual(onceEach(alerting));
  expect(await run.platform.alerts.openCount()).toBe(alerting.length);
  // The live figures: every decision counted once, under its outcome.
  const figures = await run.platform.metrics.perMinute(24 * 60, new Date(Date.parse("2025-06-15T12:30:00.000Z")));
  const counted = { APPROVED: 0, REVIEW: 0, BLOCKED: 0 };
  for (const m of figures) for (const o of ["APPROVED", "REVIEW", "BLOCKED"] as const) counted[o] += m[o];
  const expected = { APPROVED: 0, REVIEW: 0, BLOCKED: 0 };
  for (const d of run.acknowledged) expected[d.decision] += 1;
  expect(counted).toEqual(expected);
  // Each alert channel took each alert once.
  expect(countOf(run.delivered.email!)).toEqual(onceEach(alerting));
  expect(countOf(run.delivered.webhook!)).toEqual(onceEach(alerting));
  // The lake: one row per decision.
  expect(countOf(run.lakeRows)).toEqual(onceEach(all));
}

const scenarios: Array<[string, Faults, (run: PipelineRun) => void]> = [
  ["nothing fails", {}, (run) => expect(run.onStream).toHaveLength(run.acknowledged.length)],
  [
    "the put: PutRecords fails before reaching Kinesis, loses its answer after Kinesis took the records, and Kinesis refuses some records",
    { put: (call) => (call === 1 ? "fail-before" : call === 2 ? "fail-after" : call === 4 ? { refuse: (i) => i % 2 === 1 } : undefined) },
    // The lost answer and the refused records put some decisions on the stream twice.
    (run) => expect(run.onStream.length).toBeGreaterThan(run.acknowledged.length),
  ],
  [
    "the consumer: the alert inbox and the live figures fail before writing, and the function stops after writing",
    {
      inbox: (call) => (call === 2 ? "before" : call === 5 ? "after" : undefined),
      metrics: (call, d) => (call === 3 ? "before" : call === 7 || (call === 8 && Ruleset.raisesAlert(d.decision)) ? "after" : undefined),
    },
    () => undefined,
  ],
  [
    "the alert channel: e-mail fails twice, the webhook once, each for its own alerts",
    { channel: (name, call) => (name === "email" ? call <= 2 : call === 3) },
    () => undefined,
  ],
  [
    "the lake writer: a claim cannot be written, and an invocation stops once its claims are written",
    { claim: (call) => call === 4 || call === 12, lakeInvocation: (call) => (call === 1 || call === 5 ? "after-claims" : undefined) },
    () => undefined,
  ],
  [
    "every step at once",
    {
      put: (call) => (call === 2 ? "fail-after" : call === 3 ? { refuse: (i) => i === 0 } : undefined),
      inbox: (call) => (call === 4 ? "after" : undefined),
      metrics: (call) => (call === 6 ? "before" : undefined),
      channel: (name, call) => (name === "webhook" ? call <= 2 : call === 1),
      claim: (call) => call === 9,
      lakeInvocation: (call) => (call === 2 ? "after-claims" : undefined),
    },
    (run) => expect(run.onStream.length).toBeGreaterThan(run.acknowledged.length),
  ],
];

describe("the AWS pipeline from the outbox to every consumer (emulators)", () => {
  for (const [name, faults, check] of scenarios) {
    it(`brings each acknowledged decision to every consumer once when ${name}`, async () => {
      const run = await runPipeline(emulators, faults);
      check(run);
      await expectEachConsumerOnce(run);
    });
  }
});
