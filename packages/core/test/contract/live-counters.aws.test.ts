import { QueryCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIVE_METRICS_SHARDS, OPEN_ALERT_SHARDS, openAwsPlatform, shardOf } from "../../src/adapters/aws/index.ts";
import type { Decision } from "../../src/decision/decision.ts";
import { DEMO_RULESET } from "../../src/demo/ruleset.ts";
import { RulesetContent, type DecisionOutcome } from "../../src/ruleset/ruleset.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { startEmulators, type Emulators } from "./emulators.ts";
import { tickingClock } from "./suites.ts";

// The live figures and the alert inbox's open count are written by every consumer at once: spread
// over shards so that no partition takes more than its share (docs/decisions/051), and read back
// by adding the shards up, which must give exactly the decisions counted.

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.stop();
});

const OUTCOMES: DecisionOutcome[] = ["APPROVED", "APPROVED", "REVIEW", "APPROVED", "BLOCKED"];

/** `count` decisions over two minutes, modelled on one the engine made, with mixed outcomes and amounts. */
async function decisionsAndPlatform(count: number) {
  const tables = await emulators.createTables();
  const p = openAwsPlatform({ tables, settings: defaultSettings, clients: emulators.clients, clock: tickingClock(), rulesetCacheMs: 0 });
  await p.rules.publish((await p.rules.saveDraft(RulesetContent.parse(DEMO_RULESET), { id: "t" })).version, { id: "t" });
  const r = await p.scoring.submit({ transaction_id: "model", user_id: "u-1", amount: 100, merchant_id: "m-1", timestamp: "2025-06-15T11:00:00.000Z" });
  if (r.status !== "recorded") throw new Error(r.status);
  const start = Date.parse("2025-06-15T11:58:30.000Z");
  const decisions: Decision[] = Array.from({ length: count }, (_, i) => ({
    ...r.decision,
    transaction_id: `hot-${i}`,
    decision: OUTCOMES[i % OUTCOMES.length]!,
    decided_at: new Date(start + i * Math.floor(120_000 / count)).toISOString(),
    transaction: { ...r.decision.transaction, transaction_id: `hot-${i}`, amount: 100 + i },
  }));
  return { p, tables, decisions };
}

/** Runs `work` over the items with `writers` concurrent workers, each taking the next item. */
async function concurrently<T>(items: readonly T[], writers: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe("live figures over shards (DynamoDB emulator)", () => {
  it("counts decisions that many writers record at once, each delivered twice, exactly once each when the shards are added up", async () => {
    const { p, tables, decisions } = await decisionsAndPlatform(160);
    const deliveries = [...decisions, ...decisions.slice().reverse()];
    const counted: boolean[] = [];
    await concurrently(deliveries, 8, async (d) => counted.push(await p.metrics.record(d)));
    expect(counted.filter(Boolean)).toHaveLength(decisions.length);

    const expected = new Map<string, { minute: string; APPROVED: number; REVIEW: number; BLOCKED: number; amount_blocked: number }>();
    for (const d of decisions) {
      const minute = d.decided_at.slice(0, 16);
      const m = expected.get(minute) ?? { minute, APPROVED: 0, REVIEW: 0, BLOCKED: 0, amount_blocked: 0 };
      m[d.decision] += 1;
      if (d.decision === "BLOCKED") m.amount_blocked += d.transaction.amount;
      expected.set(minute, m);
    }
    const figures = await p.metrics.perMinute(10, new Date("2025-06-15T12:01:00.000Z"));
    expect(figures).toEqual([...expected.values()].sort((a, b) => (a.minute < b.minute ? -1 : 1)));
    expect(figures.map((f) => f.minute)).toContain("2025-06-15T12:00");

    // Every shard of both hours took a share of the writes, none much more than the others.
    const { Items } = await emulators.clients.dynamo.send(new ScanCommand({ TableName: tables.metrics }));
    const perPartition = new Map<string, number>();
    for (const item of Items ?? []) {
      if (!String(item.pk).startsWith("MINUTE#")) continue;
      perPartition.set(String(item.pk), (perPartition.get(String(item.pk)) ?? 0) + Number(item.count));
    }
    for (const hour of ["2025-06-15T11", "2025-06-15T12"]) {
      const shards = [...perPartition.keys()].filter((k) => k.startsWith(`MINUTE#${hour}#`));
      expect(shards.sort()).toEqual(Array.from({ length: LIVE_METRICS_SHARDS }, (_, s) => `MINUTE#${hour}#${s}`).sort());
    }
    const counts = [...perPartition.values()];
    expect(counts.reduce((a, b) => a + b, 0)).toBe(decisions.length);
    expect(Math.max(...counts)).toBeLessThanOrEqual((3 * decisions.length) / (2 * LIVE_METRICS_SHARDS));
  });

  it("puts a decision's count on the shard of its transaction id, whichever consumer records it", async () => {
    const { p, tables, decisions } = await decisionsAndPlatform(3);
    await p.metrics.record(decisions[0]!);
    const pk = `MINUTE#2025-06-15T11#${shardOf("hot-0", LIVE_METRICS_SHARDS)}`;
    const { Items } = await emulators.clients.dynamo.send(
      new QueryCommand({ TableName: tables.metrics, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": pk } }),
    );
    expect(Items?.map((i) => [i.sk, i.count])).toEqual([["2025-06-15T11:58#APPROVED", 1]]);
  });
});

describe("alert inbox's open count over shards (DynamoDB emulator)", () => {
  it("raises, counts and acknowledges alerts that many consumers and analysts handle at once, exactly", async () => {
    const { p, tables, decisions } = await decisionsAndPlatform(120);
    const alerting = decisions.filter((d) => d.decision !== "APPROVED");
    await concurrently([...decisions, ...decisions], 8, (d) => p.alerts.raise(d));
    const alerts = await p.alerts.list({ limit: 500 });
    expect(alerts.map((a) => a.transaction_id).sort()).toEqual(alerting.map((d) => d.transaction_id).sort());
    expect(new Set(alerts.map((a) => a.id)).size).toBe(alerting.length);
    expect(await p.alerts.openCount()).toBe(alerting.length);

    const acknowledged = alerts.filter((_, i) => i % 3 === 0);
    await concurrently(acknowledged, 6, (a) => p.alerts.acknowledge(a.id, { id: "ana" }));
    expect(await p.alerts.openCount()).toBe(alerting.length - acknowledged.length);
    expect((await p.alerts.list({ status: "open", limit: 500 })).length).toBe(alerting.length - acknowledged.length);

    const { Items } = await emulators.clients.dynamo.send(new ScanCommand({ TableName: tables.alerts }));
    const shards = (Items ?? []).filter((i) => /^COUNTER#\d+$/.test(String(i.pk)));
    expect(shards.map((i) => i.pk).sort()).toEqual(Array.from({ length: OPEN_ALERT_SHARDS }, (_, s) => `COUNTER#${s}`).sort());
    expect(shards.reduce((sum, i) => sum + Number(i.open_alerts), 0)).toBe(alerting.length - acknowledged.length);
  });

  it("adds in an open count the id counter's item holds, and keeps the ids in the order alerts are raised", async () => {
    const { p, tables, decisions } = await decisionsAndPlatform(10);
    await emulators.clients.dynamo.send(
      new UpdateCommand({ TableName: tables.alerts, Key: { pk: "COUNTER" }, UpdateExpression: "SET open_alerts = :n", ExpressionAttributeValues: { ":n": 4 } }),
    );
    const alerting = decisions.filter((d) => d.decision !== "APPROVED");
    for (const d of alerting) await p.alerts.raise(d);
    expect(await p.alerts.openCount()).toBe(4 + alerting.length);
    expect((await p.alerts.list({})).map((a) => a.transaction_id)).toEqual(alerting.map((d) => d.transaction_id).reverse());
  });
});
