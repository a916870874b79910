import { afterEach, describe, expect, it } from "vitest";
import type { BacktestResult } from "../../src/backtest/backtest.ts";
import type { Decision } from "../../src/decision/decision.ts";
import { DEMO_RULESET } from "../../src/demo/ruleset.ts";
import { VisibleError } from "../../src/errors/errors.ts";
import type { AlertInbox, BacktestStore, LiveMetrics, ReportStore, ReviewStore, RuleStore, ShadowRulesetStore } from "../../src/platform/ports.ts";
import { ReportDefinition } from "../../src/report/report.ts";
import { RulesetContent, type Ruleset } from "../../src/ruleset/ruleset.ts";
import type { Scoring } from "../../src/decision/scoring.ts";
import type { TransactionInput } from "../../src/transaction/transaction.ts";
import { tickingClock } from "./suites.ts";

/** The analysts' stores of one adapter, fresh and empty, and how the stream's consumers are run. */
export interface AnalystFixture {
  scoring: Scoring;
  rules: RuleStore & ShadowRulesetStore;
  reviews: ReviewStore;
  alerts: AlertInbox;
  metrics: LiveMetrics;
  reportStore: ReportStore;
  backtestStore: BacktestStore;
  /** Runs the consumers (alert inbox, live figures) over every decision recorded so far, delivering each event twice. */
  deliver(): Promise<void>;
  /** Writes a stored version behind the store's back, as a version without today's checks stored it. */
  overwrite(ruleset: Ruleset): Promise<void>;
  close(): Promise<void>;
}
export type MakeAnalystFixture = (clock: () => Date) => Promise<AnalystFixture>;

const ANA = { id: "ana" };
const RULES = RulesetContent.parse(DEMO_RULESET);

async function expectVisible(p: Promise<unknown>, code: string): Promise<void> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected VisibleError ${code}`).toBeInstanceOf(VisibleError);
  expect((error as VisibleError).code).toBe(code);
}

const txn = (id: string, fields: Partial<TransactionInput> = {}): TransactionInput => ({
  transaction_id: id,
  user_id: "user-1",
  amount: 100,
  merchant_id: "merchant-1",
  device_id: "device-1",
  location: "Douala, CM",
  timestamp: "2025-06-15T11:00:00.000Z",
  ...fields,
});

/** A large amount from a new device far away: the demo ruleset sends it to review or blocks it. */
const suspicious = (id: string, user = "user-1") => txn(id, { user_id: user, amount: 9_000, device_id: `new-${id}`, location: "Lagos, NG" });

function backtestResult(transactions: number): BacktestResult {
  const rates = { detected: 1, detection_rate: 0.5, false_positives: 0, false_positive_rate: null };
  return {
    ruleset_version: 1,
    from: "2025-06-01",
    to: "2025-06-14",
    warmup_days: 30,
    transactions,
    replayed: transactions + 10,
    elapsed_ms: 12,
    rows_per_second: 1_000,
    outcomes: { recorded: { APPROVED: transactions - 1, REVIEW: 1, BLOCKED: 0 }, draft: { APPROVED: transactions - 2, REVIEW: 1, BLOCKED: 1 } },
    fallbacks: 0,
    changes: [
      {
        from: "APPROVED",
        to: "BLOCKED",
        count: 1,
        amount: 9_000,
        examples: [
          {
            transaction_id: "x-1",
            user_id: "u",
            amount: 9_000,
            currency: "XAF",
            timestamp: "2025-06-10T10:00:00.000Z",
            recorded_score: 10,
            draft_score: 90,
            draft_rules: ["R1"],
            label: "fraud",
          },
        ],
      },
    ],
    rules: [{ id: "R1", name: "Rule one", hits: 2, hit_rate: 0.1, live_hits: 1, errors: 0, labelled: 1, fraud: 1, legitimate: 0, precision: 1 }],
    labels: { fraud: 1, legitimate: 0, recorded: rates, draft: rates },
    blocked_amount: [{ currency: "XAF", recorded: 0, draft: 9_000 }],
  };
}

/**
 * The behaviour every adapter of the analysts' ports must have (review queue, alert inbox, live
 * figures, saved reports, backtests, shadow ruleset): registered once for the local adapter
 * (SQLite and its outbox worker) and once for the AWS one (DynamoDB and Kinesis emulators and the
 * stream consumer's recording step).
 */
export function analystContracts(adapter: string, make: MakeAnalystFixture): void {
  const open: AnalystFixture[] = [];
  const fixture = async () => {
    const f = await make(tickingClock());
    open.push(f);
    const draft = await f.rules.saveDraft(RULES, ANA, "demo");
    await f.rules.publish(draft.version, ANA);
    return f;
  };
  afterEach(async () => {
    for (const f of open.splice(0)) await f.close();
  });
  const submit = async (f: AnalystFixture, input: TransactionInput): Promise<Decision> => {
    const r = await f.scoring.submit(input);
    if (r.status !== "recorded") throw new Error(`${input.transaction_id} was ${r.status}`);
    return r.decision;
  };
  /** Two REVIEW/BLOCKED decisions (s-1 then s-2) around an approved one (ok-1). */
  const threeDecisions = async (f: AnalystFixture) => {
    const s1 = await submit(f, suspicious("s-1"));
    const ok = await submit(f, txn("ok-1", { user_id: "user-2" }));
    const s2 = await submit(f, suspicious("s-2", "user-3"));
    expect(ok.decision).toBe("APPROVED");
    expect([s1.decision, s2.decision].every((d) => d !== "APPROVED")).toBe(true);
    return { s1, ok, s2 };
  };
  const ids = (xs: Array<{ transaction_id: string }>) => xs.map((x) => x.transaction_id);

  describe(`${adapter}: ReviewStore`, () => {
    it("queues REVIEW and BLOCKED decisions newest first until an analyst labels them", async () => {
      const f = await fixture();
      const { s1, s2 } = await threeDecisions(f);
      expect(ids(await f.reviews.queue({}))).toEqual(["s-2", "s-1"]);
      expect(await f.reviews.get("s-1")).toEqual({
        transaction_id: "s-1",
        user_id: "user-1",
        decision: s1.decision,
        score: s1.score,
        amount: 9_000,
        currency: s1.transaction.currency,
        rules: s1.rules.map((r) => r.id),
        decided_at: s1.decided_at,
        status: "open",
        assignee: null,
        label: null,
        updated_at: null,
      });
      expect(await f.reviews.get("ok-1")).toBeUndefined();
      expect(await f.reviews.get("nope")).toBeUndefined();
      expect(ids(await f.reviews.queue({ limit: 1 }))).toEqual(["s-2"]);
      for (const outcome of ["REVIEW", "BLOCKED"] as const) {
        expect(ids(await f.reviews.queue({ decision: outcome })), outcome).toEqual(ids([s2, s1].filter((d) => d.decision === outcome)));
      }

      const assigned = await f.reviews.assign({ transaction_id: "s-1", assignee: "ana" }, ANA);
      expect(assigned).toMatchObject({ status: "assigned", assignee: "ana", label: null });
      expect(ids(await f.reviews.queue({ assignee: "ana" }))).toEqual(["s-1"]);
      expect(ids(await f.reviews.queue({ assignee: "bob" }))).toEqual([]);

      const labelled = await f.reviews.label({ transaction_id: "s-1", label: "fraud", note: "card reported stolen" }, ANA);
      expect(labelled).toMatchObject({ status: "closed", label: "fraud", assignee: "ana" });
      expect(labelled.updated_at).not.toBeNull();
      await f.reviews.label({ transaction_id: "s-2", label: "legitimate" }, { id: "bob" });
      expect(await f.reviews.get("s-2")).toMatchObject({ status: "closed", label: "legitimate", assignee: "bob" });

      expect(await f.reviews.queue({})).toEqual([]);
      expect(ids(await f.reviews.queue({ status: "closed" }))).toEqual(["s-2", "s-1"]);
      expect(ids(await f.reviews.queue({ status: "all" }))).toEqual(["s-2", "s-1"]);
      expect(ids(await f.reviews.queue({ assignee: "ana" }))).toEqual([]);
      expect(ids(await f.reviews.queue({ assignee: "ana", status: "closed" }))).toEqual(["s-1"]);
      expect(await f.reviews.queue({ status: "closed" })).toEqual([await f.reviews.get("s-2"), await f.reviews.get("s-1")]);
    });

    it("keeps each case's history in order, refuses work on closed and unknown cases", async () => {
      const f = await fixture();
      await threeDecisions(f);
      await f.reviews.assign({ transaction_id: "s-1", assignee: "ana" }, ANA);
      const note = await f.reviews.note({ transaction_id: "s-1", note: "called the customer" }, ANA);
      expect(note).toMatchObject({ transaction_id: "s-1", author: "ana", action: "note", note: "called the customer" });
      await f.reviews.label({ transaction_id: "s-1", label: "fraud", note: "card reported stolen" }, ANA);
      const release = await f.reviews.recordRelease("s-1", "block-list entries removed", { id: "admin" });
      const history = await f.reviews.history("s-1");
      expect(history.map((e) => [e.action, e.author, e.note])).toEqual([
        ["assign", "ana", "assigned to ana"],
        ["note", "ana", "called the customer"],
        ["label", "ana", "fraud: card reported stolen"],
        ["release", "admin", "block-list entries removed"],
      ]);
      expect(history[1]).toEqual(note);
      expect(history[3]).toEqual(release);
      expect([...history.map((e) => e.id)].sort((a, b) => a - b)).toEqual(history.map((e) => e.id));
      expect(await f.reviews.history("s-2")).toEqual([]);

      await expectVisible(f.reviews.assign({ transaction_id: "s-1", assignee: "bob" }, ANA), "CASE_CLOSED");
      await expectVisible(f.reviews.assign({ transaction_id: "ok-1", assignee: "bob" }, ANA), "CASE_NOT_FOUND");
      await expectVisible(f.reviews.note({ transaction_id: "nope", note: "x" }, ANA), "CASE_NOT_FOUND");
      await expectVisible(f.reviews.label({ transaction_id: "ok-1", label: "fraud" }, ANA), "CASE_NOT_FOUND");
      expect(await f.reviews.get("s-1")).toMatchObject({ status: "closed", assignee: "ana", label: "fraud" });
    });

    it("loses no event when analysts work on one case at the same time", async () => {
      const f = await fixture();
      await threeDecisions(f);
      await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => f.reviews.note({ transaction_id: "s-1", note: `note ${i}` }, { id: `analyst-${i}` })),
        f.reviews.assign({ transaction_id: "s-1", assignee: "ana" }, ANA),
      ]);
      const history = await f.reviews.history("s-1");
      expect(history.map((e) => e.note).sort()).toEqual(["assigned to ana", "note 0", "note 1", "note 2", "note 3", "note 4"]);
      expect(new Set(history.map((e) => e.id)).size).toBe(6);
      expect(await f.reviews.get("s-1")).toMatchObject({ status: "assigned", assignee: "ana" });
    });

    it("fills a page of open cases past the closed ones, newest first", async () => {
      const f = await fixture();
      const all: string[] = [];
      for (let i = 0; i < 24; i++) {
        const id = `p-${String(i).padStart(2, "0")}`;
        await submit(f, suspicious(id, `user-p${i}`));
        all.push(id);
      }
      // Every case but one in four is closed, the newest ones included.
      const open = all.filter((_, i) => i % 4 === 0);
      for (const id of all.filter((_, i) => i % 4 !== 0)) await f.reviews.label({ transaction_id: id, label: "legitimate" }, ANA);
      const newestFirst = (ids: string[]) => [...ids].reverse();
      expect(ids(await f.reviews.queue({ limit: 4 }))).toEqual(newestFirst(open).slice(0, 4));
      expect(ids(await f.reviews.queue({}))).toEqual(newestFirst(open));
      expect(ids(await f.reviews.queue({ status: "closed", limit: 5 }))).toEqual(newestFirst(all.filter((_, i) => i % 4 !== 0)).slice(0, 5));
      expect(ids(await f.reviews.queue({ status: "all", limit: 7 }))).toEqual(newestFirst(all).slice(0, 7));
    });

    it("counts labels per outcome and per rule that fired: what precision is computed from", async () => {
      const f = await fixture();
      const { s1, s2 } = await threeDecisions(f);
      const s3 = await submit(f, suspicious("s-3", "user-4"));
      await f.reviews.label({ transaction_id: "s-1", label: "fraud" }, ANA);
      await f.reviews.label({ transaction_id: "s-2", label: "legitimate" }, ANA);
      await f.reviews.label({ transaction_id: "s-3", label: "fraud" }, ANA);
      await f.reviews.label({ transaction_id: "s-3", label: "legitimate" }, ANA);
      const expected = {
        by_decision: { REVIEW: { fraud: 0, legitimate: 0 }, BLOCKED: { fraud: 0, legitimate: 0 } },
        by_rule: {} as Record<string, { fraud: number; legitimate: number }>,
      };
      for (const [d, label] of [
        [s1, "fraud"],
        [s2, "legitimate"],
        [s3, "legitimate"],
      ] as const) {
        expected.by_decision[d.decision as "REVIEW" | "BLOCKED"][label] += 1;
        for (const r of d.rules) (expected.by_rule[r.id] ??= { fraud: 0, legitimate: 0 })[label] += 1;
      }
      expect(await f.reviews.labelStats()).toEqual(expected);
    });
  });

  describe(`${adapter}: AlertInbox`, () => {
    it("raises one alert per REVIEW or BLOCKED decision however often its event comes, newest first", async () => {
      const f = await fixture();
      const { s1, s2 } = await threeDecisions(f);
      expect(await f.alerts.list({})).toEqual([]);
      await f.deliver();
      await f.deliver();
      const alerts = await f.alerts.list({});
      expect(ids(alerts)).toEqual(["s-2", "s-1"]);
      expect(alerts[0]!.id).toBeGreaterThan(alerts[1]!.id);
      expect(alerts[1]).toEqual({
        id: alerts[1]!.id,
        transaction_id: "s-1",
        user_id: "user-1",
        decision: s1.decision,
        score: s1.score,
        amount: 9_000,
        rules: s1.rules.map((r) => r.id),
        created_at: s1.decided_at,
        status: "open",
      });
      expect(await f.alerts.openCount()).toBe(2);
      expect(await f.alerts.forTransaction("s-2")).toEqual([alerts[0]]);
      expect(await f.alerts.forTransaction("ok-1")).toEqual([]);
      expect(ids(await f.alerts.list({ limit: 1 }))).toEqual([s2.transaction_id]);
    });

    it("acknowledges an open alert once", async () => {
      const f = await fixture();
      await threeDecisions(f);
      await f.deliver();
      const [newest, oldest] = await f.alerts.list({});
      await f.alerts.acknowledge(oldest!.id, ANA);
      expect(await f.alerts.openCount()).toBe(1);
      expect(await f.alerts.list({ status: "open" })).toEqual([newest]);
      expect(await f.alerts.list({ status: "acknowledged" })).toEqual([{ ...oldest, status: "acknowledged" }]);
      expect(ids(await f.alerts.list({}))).toEqual(["s-2", "s-1"]);
      await expectVisible(f.alerts.acknowledge(oldest!.id, ANA), "ALERT_NOT_OPEN");
      await expectVisible(f.alerts.acknowledge(newest!.id + 1_000, ANA), "ALERT_NOT_OPEN");
      expect(await f.alerts.openCount()).toBe(1);
    });
  });

  describe(`${adapter}: LiveMetrics`, () => {
    it("counts each decision once in its minute, with the blocked amount", async () => {
      const f = await fixture();
      const decisions: Decision[] = [];
      for (let i = 0; i < 4; i++)
        decisions.push(await submit(f, i % 2 ? suspicious(`m-${i}`, `user-m${i}`) : txn(`m-${i}`, { user_id: `user-m${i}`, amount: 50 + i })));
      await f.deliver();
      await f.deliver();
      const expected = new Map<string, { minute: string; APPROVED: number; REVIEW: number; BLOCKED: number; amount_blocked: number }>();
      for (const d of decisions) {
        const minute = d.decided_at.slice(0, 16);
        const m = expected.get(minute) ?? { minute, APPROVED: 0, REVIEW: 0, BLOCKED: 0, amount_blocked: 0 };
        m[d.decision] += 1;
        if (d.decision === "BLOCKED") m.amount_blocked += d.transaction.amount;
        expected.set(minute, m);
      }
      const now = new Date(Date.parse(decisions.at(-1)!.decided_at) + 30_000);
      expect(await f.metrics.perMinute(60, now)).toEqual([...expected.values()]);
      expect(await f.metrics.perMinute(5, new Date(now.getTime() + 3 * 3_600_000))).toEqual([]);
    });

    it("samples the scores and latencies of the newest decisions", async () => {
      const f = await fixture();
      const decisions: Decision[] = [];
      for (let i = 0; i < 5; i++)
        decisions.push(await submit(f, i === 4 ? suspicious(`r-${i}`, `user-r${i}`) : txn(`r-${i}`, { user_id: `user-r${i}`, amount: 20 + i })));
      const buckets = (ds: Decision[]) => {
        const b = Array.from({ length: 10 }, () => 0);
        for (const d of ds) b[Math.min(9, Math.floor(d.score / 10))]! += 1;
        return b;
      };
      const all = await f.metrics.recent(100);
      expect(all).toMatchObject({ size: 5, score_buckets: buckets(decisions) });
      const latencies = decisions.map((d) => d.latency_ms).sort((a, b) => a - b);
      expect(all.latency_p99_ms).toBe(latencies.at(-1));
      expect(all.latency_p50_ms).toBe(latencies[2]);
      expect(await f.metrics.recent(2)).toMatchObject({ size: 2, score_buckets: buckets(decisions.slice(-2)) });
    });
  });

  describe(`${adapter}: ReportStore`, () => {
    it("saves, replaces, lists by name and removes analysts' reports", async () => {
      const f = await fixture();
      const daily = ReportDefinition.parse({
        name: "daily_blocked",
        title: "Blocked per day",
        sql: "SELECT dt, count(*) AS n FROM decisions WHERE decision = 'BLOCKED' GROUP BY dt",
      });
      const amounts = ReportDefinition.parse({
        name: "amounts",
        title: "Amounts",
        parameters: [{ name: "from", type: "date", label: "From", default: "today-7" }],
        sql: "SELECT sum(amount) AS total FROM decisions WHERE dt >= :from",
        chart: { kind: "stat", y: ["total"] },
      });
      expect(await f.reportStore.list()).toEqual([]);
      const saved = await f.reportStore.save(daily, ANA);
      expect(saved).toMatchObject({ ...daily, builtin: false, updated_by: "ana" });
      await f.reportStore.save(amounts, { id: "bob" });
      expect(await f.reportStore.get("daily_blocked")).toEqual(saved);
      expect((await f.reportStore.list()).map((r) => r.name)).toEqual(["amounts", "daily_blocked"]);

      const replaced = await f.reportStore.save({ ...daily, title: "BLOCKED decisions per day" }, { id: "bob" });
      expect(await f.reportStore.get("daily_blocked")).toEqual(replaced);
      expect(replaced).toMatchObject({ title: "BLOCKED decisions per day", updated_by: "bob" });
      expect(await f.reportStore.list()).toHaveLength(2);

      await f.reportStore.remove("amounts", ANA);
      expect(await f.reportStore.get("amounts")).toBeUndefined();
      expect((await f.reportStore.list()).map((r) => r.name)).toEqual(["daily_blocked"]);
      await expectVisible(f.reportStore.remove("amounts", ANA), "REPORT_NOT_FOUND");
    });
  });

  describe(`${adapter}: BacktestStore`, () => {
    it("keeps backtest results with the version they tested, newest first", async () => {
      const f = await fixture();
      const at = new Date("2025-06-15T12:00:00.000Z");
      const a = await f.backtestStore.save({ ...backtestResult(100), ruleset_version: 2 }, ANA, at);
      const b = await f.backtestStore.save({ ...backtestResult(200), ruleset_version: 3 }, ANA, at);
      const c = await f.backtestStore.save({ ...backtestResult(300), ruleset_version: 2 }, { id: "bob" }, new Date(at.getTime() + 60_000));
      expect(a).toMatchObject({ ruleset_version: 2, transactions: 100, created_by: "ana", created_at: at.toISOString() });
      expect(new Set([a.id, b.id, c.id]).size).toBe(3);
      expect(await f.backtestStore.list(2)).toEqual([c, a]);
      expect(await f.backtestStore.list(3)).toEqual([b]);
      expect(await f.backtestStore.list(4)).toEqual([]);
      expect(await f.backtestStore.get(b.id)).toEqual(b);
      expect(await f.backtestStore.get(c.id + 100)).toBeUndefined();
    });
  });

  describe(`${adapter}: ShadowRulesetStore`, () => {
    it("runs one draft in shadow beside the live ruleset until it goes live or is cleared", async () => {
      const f = await fixture();
      expect(await f.rules.shadowVersion()).toBe(0);
      const draft = await f.rules.saveDraft({ ...RULES, thresholds: { review: 5, block: 10 } }, ANA, "strict");
      await f.rules.setShadow(draft.version, ANA);
      expect(await f.rules.shadowVersion()).toBe(draft.version);
      const d = await submit(f, txn("sh-1"));
      expect(d.shadow?.version).toBe(draft.version);
      expect(d.ruleset_version).toBe(1);

      await expectVisible(f.rules.setShadow(1, ANA), "RULESET_NOT_DRAFT");
      await expectVisible(f.rules.setShadow(99, ANA), "RULESET_NOT_FOUND");
      expect(await f.rules.shadowVersion()).toBe(draft.version);
      await f.rules.setShadow(null, ANA);
      expect(await f.rules.shadowVersion()).toBe(0);

      await f.rules.setShadow(draft.version, ANA);
      await f.rules.publish(draft.version, ANA);
      expect(await f.rules.shadowVersion()).toBe(0);
      const other = await f.rules.saveDraft(RULES, ANA);
      await f.rules.setShadow(other.version, ANA);
      await f.rules.publish((await f.rules.saveDraft(RULES, ANA)).version, ANA);
      expect(await f.rules.shadowVersion()).toBe(other.version);
    });
  });

  describe(`${adapter}: RuleStore publish races`, () => {
    it("publishes a draft once when two analysts publish it at the same time, and leaves no half-made version", async () => {
      const f = await fixture();
      const draft = await f.rules.saveDraft({ ...RULES, thresholds: { review: 40, block: 70 } }, ANA);
      const results = await Promise.allSettled([f.rules.publish(draft.version, ANA), f.rules.publish(draft.version, { id: "bob" })]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const failed = results.find((r) => r.status === "rejected");
      expect((failed as PromiseRejectedResult).reason).toBeInstanceOf(VisibleError);
      expect(await f.rules.liveVersion()).toBe(draft.version);
      expect((await f.rules.versions()).map((r) => [r.version, r.status])).toEqual([
        [2, "published"],
        [1, "archived"],
      ]);
    });
  });

  describe(`${adapter}: a rule over the cost limit, stored before the check`, () => {
    const numbers = `[${Array.from({ length: 100 }, (_, i) => i).join(", ")}]`;
    const nested = {
      id: "NESTED",
      name: "Nested loops",
      description: "",
      expression: `${numbers}.exists(a, ${numbers}.exists(b, ${numbers}.exists(c, a + b + c < 0)))`,
      score: 10,
      enabled: true,
    };
    const refused = {
      code: "INVALID_RULE_EXPRESSION",
      issues: [expect.objectContaining({ params: expect.objectContaining({ key: "rule_too_costly", rule: "NESTED" }) })],
    };

    it("scores with the fallback, the rule's error recorded, and does not hang", async () => {
      const f = await fixture();
      const live = (await f.rules.live())!;
      await f.overwrite({ ...live, fallback_decision: "REVIEW", rules: [...live.rules, nested] });
      const d = await submit(f, txn("cost-1", { user_id: "user-2" }));
      expect(d).toMatchObject({ decision: "REVIEW", fallback_reason: "rule NESTED went over the cost limit of 100,000 steps" });
      expect(d.errored_rules).toEqual([{ id: "NESTED", error: "went over the cost limit of 100,000 steps" }]);
    });

    it("cannot be published, rolled back to or run in shadow", async () => {
      const f = await fixture();
      const live = (await f.rules.live())!;
      const draft = await f.rules.saveDraft(RULES, ANA);
      await f.overwrite({ ...draft, rules: [...draft.rules, nested] });
      await f.overwrite({ ...live, rules: [...live.rules, nested] });
      await expect(f.rules.publish(draft.version, ANA)).rejects.toMatchObject(refused);
      await expect(f.rules.setShadow(draft.version, ANA)).rejects.toMatchObject(refused);
      await f.rules.publish((await f.rules.saveDraft(RULES, ANA)).version, ANA);
      await expect(f.rules.rollback(live.version, ANA)).rejects.toMatchObject(refused);
      expect(await f.rules.shadowVersion()).toBe(0);
    });
  });
}
