import { DuckDBInstance } from "@duckdb/node-api";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lakeGlob, LocalLakeWriter, LocalTestDecisionLog, openLocalPlatform, OutboxWorker, type LocalPlatform } from "../src/adapters/local/index.ts";
import { Scoring } from "../src/decision/scoring.ts";
import type { Decision } from "../src/decision/decision.ts";
import { VisibleError } from "../src/errors/errors.ts";
import { labScenario } from "../src/demo/scenario.ts";
import { seedDemo } from "../src/demo/seed.ts";
import { defaultSettings } from "../src/settings/settings.ts";
import type { SubmitResult } from "../src/decision/scoring.ts";
import type { TransactionInput } from "../src/transaction/transaction.ts";
import { HOUR, MINUTE, NOW, at, tempDirs } from "./support.ts";

/*
 * Test transactions on the embedded platform, through everything downstream of a decision: the
 * outbox worker (alerts, per-minute figures, the lake), the review queue and its precision
 * figures, the live sample, rule hit counts and the customers' profiles. A test must change none
 * of them; the lab scenario, run as tests, must still decide exactly as real traffic would.
 */

const dirs = tempDirs();
const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const o of opened.splice(0).reverse()) o.close();
  dirs.cleanup();
});

async function seeded(): Promise<LocalPlatform> {
  const p = openLocalPlatform({ dataDir: dirs.make(), settings: defaultSettings, clock: () => NOW });
  opened.push(p);
  await seedDemo(p, NOW);
  return p;
}

function decisionOf(r: SubmitResult): Decision {
  if (r.status !== "recorded") throw new Error(`expected recorded, got ${JSON.stringify(r)}`);
  return r.decision;
}

const takeover = (id: string, fields: Partial<TransactionInput> = {}): TransactionInput => ({
  transaction_id: id,
  user_id: "user_001",
  amount: 7_500,
  merchant_id: "MERCH_SUSPICIOUS",
  device_id: "device_unknown",
  location: "Lagos, NG",
  timestamp: at(-HOUR),
  ...fields,
});
const usual = (id: string, fields: Partial<TransactionInput> = {}): TransactionInput => ({
  transaction_id: id,
  user_id: "user_001",
  amount: 120,
  merchant_id: "MERCH_AMAZON",
  device_id: "device_abc123",
  location: "New York, US",
  timestamp: at(-2 * HOUR),
  ...fields,
});

/** Every lake row's transaction id, read back from the Parquet files. */
async function lakeIds(p: LocalPlatform): Promise<string[]> {
  if (!existsSync(join(p.lakeDir, "raw"))) return [];
  const duck = await DuckDBInstance.create(":memory:");
  const c = await duck.connect();
  try {
    const rows = (
      await c.runAndReadAll(`SELECT transaction_id FROM read_parquet('${lakeGlob(p.lakeDir)}', hive_partitioning=true) ORDER BY 1`)
    ).getRowObjectsJS();
    return rows.map((r) => String(r.transaction_id));
  } finally {
    c.closeSync();
    duck.closeSync();
  }
}

/** Everything downstream of the decisions that a customer, an analyst or a report would see. */
async function production(p: LocalPlatform, worker: OutboxWorker) {
  await worker.drain();
  const rows = (sql: string) => p.db.prepare(sql).raw().all();
  return {
    profiles: rows("SELECT user_id, email, risk_level, updated_at, data FROM profiles ORDER BY user_id"),
    decisions: rows("SELECT seq, transaction_id, decision, score, data FROM decisions ORDER BY seq"),
    alerts: rows("SELECT id, transaction_id, decision, status FROM alerts ORDER BY id"),
    metrics: rows("SELECT * FROM metrics_minute ORDER BY minute, decision"),
    lake: await lakeIds(p),
    queue: (await p.reviews.queue({ status: "all" })).map((c) => c.transaction_id),
    labels: await p.reviews.labelStats(),
    recent: await p.metrics.recent(1_000),
    perMinute: await p.metrics.perMinute(24 * 60, NOW),
    ruleHits: await p.decisions.ruleHits(),
    outbox: rows("SELECT count(*) FROM outbox"),
  };
}

describe("test transactions on the embedded platform", () => {
  it("change no profile, alert, per-minute figure, lake row, review case, precision figure, live sample or rule hit", async () => {
    const p = await seeded();
    const lake = await LocalLakeWriter.open(p.lakeDir);
    opened.push(lake);
    const worker = new OutboxWorker(p.db, lake, { lakeFlushSeconds: 0 });
    decisionOf(await p.scoring.submit(usual("real-1")));
    const blocked = decisionOf(await p.scoring.submit(takeover("real-2")));
    expect(blocked.decision).toBe("BLOCKED");
    await p.reviews.label({ transaction_id: "real-2", label: "fraud" }, { id: "analyst-1" });
    const before = await production(p, worker);
    expect(before.alerts).toHaveLength(1);
    expect(before.lake).toEqual(["real-1", "real-2"]);
    expect(before.labels.by_decision.BLOCKED.fraud).toBe(1);

    // From the test form: one of each outcome, on a known customer and on one never seen.
    const tested = [
      decisionOf(await p.scoring.submitTest(takeover("test-blocked", { timestamp: at(-30 * MINUTE) }))),
      decisionOf(
        await p.scoring.submitTest({
          transaction_id: "test-review",
          user_id: "user_002",
          amount: 40,
          merchant_id: "MERCH_TARGET",
          device_id: "device_xyz789",
          location: "Los Angeles, US",
          timestamp: at(-MINUTE),
        }),
      ),
      decisionOf(await p.scoring.submitTest(usual("test-approved", { timestamp: at(-MINUTE) }))),
      decisionOf(await p.scoring.submitTest(usual("test-new-customer", { user_id: "someone-new" }))),
    ];
    expect(tested.map((d) => [d.decision, d.test])).toEqual([
      ["BLOCKED", true],
      ["REVIEW", true],
      ["APPROVED", true],
      ["APPROVED", true],
    ]);
    // From the lab runner: the whole scenario in a sandbox.
    const run = labScenario({ runId: "lab-sandboxed", end: NOW });
    for (const { transaction } of run) decisionOf(await p.scoring.submitTest(transaction, { sandbox: "lab-sandboxed" }));

    expect(await production(p, worker)).toEqual(before);
    expect(await p.profiles.get("someone-new")).toBeUndefined();
    expect(await p.reviews.get("test-blocked")).toBeUndefined();
    await expect(p.reviews.label({ transaction_id: "test-blocked", label: "fraud" }, { id: "analyst-1" })).rejects.toThrow(VisibleError);
    expect(await p.alerts.forTransaction("test-review")).toEqual([]);
    expect((await p.testDecisions.get("test-blocked"))?.test).toBe(true);
    expect((await p.testDecisions.get(run[0]!.transaction.transaction_id!))?.test).toBe(true);
  });

  it("keep a sandbox's copies of profiles for a day after its last test", async () => {
    const p = await seeded();
    let now = NOW.getTime();
    const clock = () => new Date(now);
    const scoring = new Scoring({
      decisions: p.decisions,
      tests: new LocalTestDecisionLog(p.db, clock),
      rules: p.rules,
      lists: p.lists,
      settings: defaultSettings,
      clock,
    });
    const sandboxes = () => p.db.prepare("SELECT DISTINCT sandbox FROM test_profiles ORDER BY 1").pluck().all();
    decisionOf(await scoring.submitTest(usual("keep-1"), { sandbox: "lab-old" }));
    now += 23 * HOUR;
    decisionOf(await scoring.submitTest(usual("keep-2"), { sandbox: "lab-new" }));
    expect(sandboxes()).toEqual(["lab-new", "lab-old"]);
    now += 2 * HOUR;
    decisionOf(await scoring.submitTest(usual("keep-3"), { sandbox: "lab-new" }));
    expect(sandboxes()).toEqual(["lab-new"]);
  });

  it("run the lab scenario, in a sandbox, to exactly the decisions real traffic would get on the same customers", async () => {
    const real = await seeded();
    const sandboxed = await seeded();
    const run = labScenario({ runId: "lab-compare", end: NOW });
    const outcome = (d: Decision) => ({ id: d.transaction_id, decision: d.decision, score: d.score, rules: d.rules.map((r) => r.id), features: d.features });
    const expected: unknown[] = [];
    const got: unknown[] = [];
    for (const { transaction } of run) {
      expected.push(outcome(decisionOf(await real.scoring.submit(transaction))));
      got.push(outcome(decisionOf(await sandboxed.scoring.submitTest(transaction, { sandbox: "lab-compare" }))));
    }
    expect(got).toEqual(expected);
    // Without the sandbox each test reads the real profile alone, which real traffic never would.
    const plain = labScenario({ runId: "lab-plain", end: NOW });
    const features = [];
    for (const { transaction } of plain) features.push(decisionOf(await sandboxed.scoring.submitTest(transaction)).features);
    expect(features).not.toEqual(expected.map((e) => (e as { features: unknown }).features));
  });
});
