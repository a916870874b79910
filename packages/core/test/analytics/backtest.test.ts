import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalLakeWriter } from "../../src/adapters/local/lake.ts";
import type { LabelSource } from "../../src/adapters/local/report-labels.ts";
import { LocalReportRunner } from "../../src/adapters/local/report-runner.ts";
import { LocalBacktestStore } from "../../src/adapters/local/report-store.ts";
import { LocalRuleStore } from "../../src/adapters/local/rule-store.ts";
import { openDatabase } from "../../src/adapters/local/sqlite.ts";
import { Backtests, backtestRuleset, type BacktestProgress } from "../../src/backtest/backtest.ts";
import { decide } from "../../src/decision/decision.ts";
import { DEMO_RULESET } from "../../src/demo/ruleset.ts";
import { seededRandom } from "../../src/demo/scenario.ts";
import { toLakeRecord } from "../../src/lake/schema.ts";
import type { ListEntry } from "../../src/list/lists.ts";
import { newProfile, type Profile } from "../../src/profile/profile.ts";
import { compileRuleset, RulesetContent, type RulesetContentInput } from "../../src/ruleset/ruleset.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { parseTransaction, type TransactionInput } from "../../src/transaction/transaction.ts";
import { tempDirs, writeLake } from "./lake-fixture.ts";

const dirs = tempDirs();
const runners: LocalReportRunner[] = [];
afterAll(async () => {
  for (const r of runners) await r.close();
  dirs.cleanup();
});

function labels(rows: Array<{ transaction_id: string; label: string }>): LabelSource {
  return { version: () => String(rows.length), rows: () => rows };
}

/**
 * Scores transactions in time order as live scoring does (decide + the profile it leaves) and
 * writes the decisions to a lake through the real writer.
 */
async function liveHistory(
  lakeDir: string,
  inputs: TransactionInput[],
  live: RulesetContentInput,
  options: { profiles?: Map<string, Profile>; lists?: ListEntry[] } = {},
) {
  const ruleset = compileRuleset({ version: 1, ...RulesetContent.parse(live) });
  const profiles = options.profiles ?? new Map<string, Profile>();
  const records = [];
  for (const input of inputs) {
    const parsed = parseTransaction(input, { now: new Date("2030-01-01T00:00:00Z") });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.fields));
    const tx = parsed.transaction;
    const out = decide({ tx, profile: profiles.get(tx.user_id), ruleset, lists: options.lists ?? [], settings: defaultSettings, decidedAt: tx.timestamp });
    profiles.set(tx.user_id, out.nextProfile);
    records.push(toLakeRecord({ ...out.decision, latency_ms: 1 }));
  }
  const writer = await LocalLakeWriter.open(lakeDir);
  for (let i = 0; i < records.length; i += 10) await writer.write(records.slice(i, i + 10), i + 1, Math.min(i + 10, records.length));
  writer.close();
  return records;
}

function runnerFor(lakeDir: string, labelRows: Array<{ transaction_id: string; label: string }> = []) {
  const runner = new LocalReportRunner({ lakeDir, labels: labels(labelRows), threads: 2 });
  runners.push(runner);
  return runner;
}

describe("backtest: replaying the lake through decide()", () => {
  it("the live ruleset replayed over its own history changes no decision", async () => {
    const lakeDir = join(dirs.make(), "lake");
    const rnd = seededRandom(7);
    const cities = ["Douala, CM", "Yaoundé, CM", "Lagos, NG"];
    const inputs: TransactionInput[] = [];
    let t = Date.parse("2025-06-01T06:00:00Z");
    for (let i = 0; i < 120; i++) {
      const u = Math.floor(rnd() * 4);
      t += rnd() < 0.1 ? 20_000 : 60_000 + Math.floor(rnd() * 4 * 3_600_000);
      inputs.push({
        transaction_id: `f${String(i).padStart(3, "0")}`,
        user_id: `user${u}`,
        amount: rnd() < 0.1 ? 6000 + Math.round(rnd() * 3000) : 20 + Math.round(rnd() * 280),
        merchant_id: "m1",
        device_id: rnd() < 0.1 ? `new-device-${i}` : rnd() < 0.03 ? "dev-stolen" : `device-${u}`,
        location: rnd() < 0.08 ? cities[2] : cities[u % 2],
        timestamp: new Date(t).toISOString(),
      });
    }
    // user2 is a known HIGH-risk customer with an old account; the others are new.
    const profiles = new Map<string, Profile>([["user2", { ...newProfile("user2", "2024-01-01T00:00:00.000Z"), risk_level: "HIGH" }]]);
    const lists: ListEntry[] = [
      {
        id: 1,
        kind: "block",
        field: "device_id",
        value: "dev-stolen",
        reason: "stolen",
        expires_at: null,
        created_at: "2025-01-01T00:00:00.000Z",
        created_by: "ana",
      },
    ];
    const records = await liveHistory(lakeDir, inputs, DEMO_RULESET, { profiles, lists });
    const lastDay = records.at(-1)!.dt;
    expect(new Set(records.map((r) => r.record.decision)).size).toBe(3);
    expect(records.some((r) => r.record.list_match === "block:device_id")).toBe(true);

    const result = await backtestRuleset({
      runner: runnerFor(lakeDir),
      ruleset: { ...RulesetContent.parse(DEMO_RULESET), version: 1 },
      range: { from: "2025-06-03", to: lastDay, warmup_days: 10 },
      settings: defaultSettings,
    });
    const inRange = records.filter((r) => r.dt >= "2025-06-03");
    expect(result.replayed).toBe(records.length);
    expect(result.transactions).toBe(inRange.length);
    expect(result.changes).toEqual([]);
    expect(result.outcomes.draft).toEqual(result.outcomes.recorded);
    for (const rule of result.rules) expect(rule.hits, rule.id).toBe(rule.live_hits);
    expect(result.rules.reduce((n, r) => n + r.hits, 0)).toBeGreaterThan(0);
  });

  // A small history whose backtest can be worked out by hand (see each row).
  const live = { thresholds: { review: 50, block: 80 }, rules: [{ id: "BIG", name: "Big", expression: "amount > 1000.0", score: 60 }] };
  const draft: RulesetContentInput = {
    thresholds: { review: 50, block: 80 },
    rules: [
      { id: "BIG", name: "Big, lowered to 500", expression: "amount > 500.0", score: 50 },
      { id: "RAPID", name: "Rapid", expression: "seconds_since_last_tx != null && seconds_since_last_tx < 60.0", score: 40 },
    ],
  };
  const history: TransactionInput[] = [
    { transaction_id: "b1", user_id: "u1", amount: 200, merchant_id: "m", timestamp: "2025-06-01T10:00:00.000Z" }, // warm-up
    { transaction_id: "b2", user_id: "u1", amount: 1500, merchant_id: "m", timestamp: "2025-06-01T10:30:00.000Z" }, // warm-up, REVIEW
    { transaction_id: "b3", user_id: "u1", amount: 700, merchant_id: "m", timestamp: "2025-06-02T09:00:00.000Z" }, // APPROVED -> REVIEW
    { transaction_id: "b4", user_id: "u1", amount: 800, merchant_id: "m", timestamp: "2025-06-02T09:00:30.000Z" }, // APPROVED -> BLOCKED (30 s after b3)
    { transaction_id: "b5", user_id: "u2", amount: 1200, merchant_id: "m", timestamp: "2025-06-02T10:00:00.000Z" }, // REVIEW, unchanged
    { transaction_id: "b6", user_id: "u2", amount: 900, merchant_id: "m", timestamp: "2025-06-02T12:00:00.000Z" }, // APPROVED -> REVIEW
    { transaction_id: "b7", user_id: "u2", amount: 3000, merchant_id: "m", timestamp: "2025-06-03T08:00:00.000Z" }, // REVIEW, unchanged
    { transaction_id: "b8", user_id: "u3", amount: 600, merchant_id: "m", timestamp: "2025-06-03T09:00:00.000Z" }, // APPROVED -> REVIEW
  ];
  const reviewLabels = [
    { transaction_id: "b4", label: "fraud" },
    { transaction_id: "b5", label: "legitimate" },
    { transaction_id: "b6", label: "legitimate" },
    { transaction_id: "b7", label: "fraud" },
    { transaction_id: "b8", label: "legitimate" },
  ];

  it("a draft: per-rule hits and precision, changed decisions with examples, detection and false positives, amount blocked", async () => {
    const lakeDir = join(dirs.make(), "lake");
    await liveHistory(lakeDir, history, live);
    const progress: BacktestProgress[] = [];
    const result = await backtestRuleset({
      runner: runnerFor(lakeDir, reviewLabels),
      ruleset: { ...RulesetContent.parse(draft), version: null },
      range: { from: "2025-06-02", to: "2025-06-03", warmup_days: 1 },
      settings: defaultSettings,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({ ruleset_version: null, from: "2025-06-02", to: "2025-06-03", warmup_days: 1, transactions: 6, replayed: 8 });
    expect(result.outcomes).toEqual({ recorded: { APPROVED: 4, REVIEW: 2, BLOCKED: 0 }, draft: { APPROVED: 0, REVIEW: 5, BLOCKED: 1 } });
    expect(result.changes.map((c) => ({ ...c, examples: c.examples.map((e) => e.transaction_id) }))).toEqual([
      { from: "APPROVED", to: "REVIEW", count: 3, amount: 2200, examples: ["b6", "b3", "b8"] },
      { from: "APPROVED", to: "BLOCKED", count: 1, amount: 800, examples: ["b4"] },
    ]);
    expect(result.changes[1]!.examples[0]).toEqual({
      transaction_id: "b4",
      user_id: "u1",
      amount: 800,
      currency: "XAF",
      timestamp: "2025-06-02T09:00:30.000Z",
      recorded_score: 0,
      draft_score: 90,
      draft_rules: ["BIG", "RAPID"],
      label: "fraud",
    });
    expect(result.rules).toEqual([
      { id: "BIG", name: "Big, lowered to 500", hits: 6, hit_rate: 1, live_hits: 2, errors: 0, labelled: 5, fraud: 2, legitimate: 3, precision: 0.4 },
      { id: "RAPID", name: "Rapid", hits: 1, hit_rate: 1 / 6, live_hits: 0, errors: 0, labelled: 1, fraud: 1, legitimate: 0, precision: 1 },
    ]);
    expect(result.labels).toEqual({
      fraud: 2,
      legitimate: 3,
      recorded: { detected: 1, detection_rate: 0.5, false_positives: 1, false_positive_rate: 1 / 3 },
      draft: { detected: 2, detection_rate: 1, false_positives: 3, false_positive_rate: 1 },
    });
    expect(result.blocked_amount).toEqual([{ currency: "XAF", recorded: 0, draft: 800 }]);
    expect(progress[0]!.phase).toBe("counting");
    expect(progress.at(-1)).toMatchObject({ phase: "done", rows_done: 8, rows_total: 8, fraction: 1 });
  });

  it("a lake row that is not a valid transaction stops the replay with the schema's message, even after good rows with the same values", async () => {
    const lakeDir = join(dirs.make(), "lake");
    const good = { user_id: "u1", amount: 100, currency: "XAF", merchant_id: "m1", decision: "APPROVED", score: 0, rules_fired: [], risk_level: "LOW" };
    await writeLake(lakeDir, [
      [
        { ...good, transaction_id: "ok-1", timestamp: "2025-06-02T10:00:00.000Z" },
        { ...good, transaction_id: "ok-2", timestamp: "2025-06-02T11:00:00.000Z" },
        { ...good, transaction_id: "bad-1", timestamp: "2025-06-02T12:00:00.000Z", amount: -5 },
      ],
    ]);
    const run = backtestRuleset({
      runner: runnerFor(lakeDir),
      ruleset: { ...RulesetContent.parse(live), version: 2 },
      range: { from: "2025-06-02", to: "2025-06-02", warmup_days: 0 },
      settings: defaultSettings,
    });
    await expect(run).rejects.toThrow("lake row bad-1 is not a valid transaction: must be greater than 0");

    const dir2 = join(dirs.make(), "lake");
    await writeLake(dir2, [
      [
        { ...good, transaction_id: "ok-3", timestamp: "2025-06-02T10:00:00.000Z" },
        { ...good, transaction_id: "bad-2", timestamp: "2025-06-02T11:00:00.000Z", user_id: "u\u0007" },
      ],
    ]);
    const run2 = backtestRuleset({
      runner: runnerFor(dir2),
      ruleset: { ...RulesetContent.parse(live), version: 2 },
      range: { from: "2025-06-02", to: "2025-06-02", warmup_days: 0 },
      settings: defaultSettings,
    });
    await expect(run2).rejects.toThrow("lake row bad-2 is not a valid transaction: must not contain control characters");
  });

  it("a draft with a rule over the cost limit: stopped on every transaction, counted as its errors and as fallbacks; a preview refuses it", async () => {
    const lakeDir = join(dirs.make(), "lake");
    await liveHistory(lakeDir, history, live);
    const numbers = `[${Array.from({ length: 100 }, (_, i) => i).join(", ")}]`;
    // Stored before the cost check, or written straight to the store: backtests replay it as it is.
    const hostile = {
      id: "NESTED",
      name: "Nested loops",
      expression: `${numbers}.exists(a, ${numbers}.exists(b, ${numbers}.exists(c, a + b + c < 0)))`,
      score: 10,
    };
    const content = RulesetContent.parse({ ...draft, fallback_decision: "REVIEW", rules: [...draft.rules, hostile] });
    const result = await backtestRuleset({
      runner: runnerFor(lakeDir, reviewLabels),
      ruleset: { ...content, version: 7 },
      range: { from: "2025-06-02", to: "2025-06-03", warmup_days: 1 },
      settings: defaultSettings,
    });
    expect(result.transactions).toBe(6);
    expect(result.fallbacks).toBe(6);
    expect(result.rules.map((r) => [r.id, r.errors])).toEqual([
      ["BIG", 0],
      ["RAPID", 0],
      ["NESTED", 6],
    ]);
    // The fallback is REVIEW, or what the other rules decided when stricter (b4: BIG and RAPID, 90).
    expect(result.outcomes.draft).toEqual({ APPROVED: 0, REVIEW: 5, BLOCKED: 1 });

    const preview = new Backtests({
      runner: runnerFor(lakeDir),
      rules: { get: async () => undefined },
      store: { save: async () => Promise.reject(new Error("unused")), list: async () => [], get: async () => undefined },
      settings: defaultSettings,
    });
    await expect(preview.preview(content, { from: "2025-06-02", to: "2025-06-03" })).rejects.toMatchObject({ code: "INVALID_RULE_EXPRESSION" });
  });

  it("results are saved with the draft they tested", async () => {
    const dataDir = dirs.make();
    const lakeDir = join(dataDir, "lake");
    await liveHistory(lakeDir, history, live);
    const db = openDatabase(join(dataDir, "fraud.db"));
    try {
      const rules = new LocalRuleStore(db);
      const saved = await rules.saveDraft(RulesetContent.parse(draft), { id: "ana" }, "lower BIG");
      const backtests = new Backtests({
        runner: runnerFor(lakeDir, reviewLabels),
        rules,
        store: new LocalBacktestStore(db),
        settings: defaultSettings,
        clock: () => new Date("2025-06-04T12:00:00Z"),
      });
      const record = await backtests.run(saved.version, { from: "2025-06-02", to: "2025-06-03", warmup_days: 1 }, { id: "ana" });
      expect(record).toMatchObject({ ruleset_version: saved.version, created_by: "ana", created_at: "2025-06-04T12:00:00.000Z", transactions: 6 });
      expect(await backtests.list(saved.version)).toEqual([record]);
      expect(await backtests.get(record.id)).toEqual(record);
      expect(await backtests.list(saved.version + 1)).toEqual([]);
      await expect(backtests.run(99, { from: "2025-06-02", to: "2025-06-03" }, { id: "ana" })).rejects.toMatchObject({ code: "RULESET_NOT_FOUND" });
      await expect(backtests.run(saved.version, { from: "2025-06-03", to: "2025-06-02" }, { id: "ana" })).rejects.toMatchObject({
        code: "INVALID_BACKTEST_RANGE",
      });
    } finally {
      db.close();
    }
  });
});
