import { z } from "zod";
import { decide } from "../decision/decision.ts";
import { VisibleError } from "../errors/errors.ts";
import { LIST_FIELDS, LIST_KINDS, type ListEntry } from "../list/lists.ts";
import type { BacktestStore, ReportRunner, RuleStore } from "../platform/ports.ts";
import { applyTransaction, newProfile, RISK_LEVELS, type Profile, type RiskLevel } from "../profile/profile.ts";
import { collectReport, rowObjects, type ReportCell, type ReportQuery } from "../report/report.ts";
import type { Label } from "../review/review.ts";
import { compileRuleset, DECISIONS, validateRulesetContent, type DecisionOutcome, type Ruleset, type RulesetContent } from "../ruleset/ruleset.ts";
import type { Settings } from "../settings/settings.ts";
import { BacktestRange, BacktestRates, BacktestResult, type BacktestExample, type BacktestRangeInput, type BacktestRecord } from "./result.ts";
import { Transaction } from "../transaction/transaction.ts";
import { type Actor } from "../user/users.ts";

export * from "./result.ts";

/*
 * Backtest: replays the lake in time order through the same `decide()` as live scoring, with the
 * draft ruleset in place of the live one, and compares with what was decided.
 *
 * Profiles are rebuilt from the lake itself: a warm-up period before `from` (30 days by default,
 * the longest window a feature reads) is replayed with the decisions as they were, then the range
 * is replayed with the draft's own decisions (a transaction the draft blocks does not teach the
 * profile, as live). Each row also carries what the lake recorded of the profile at decision time
 * (risk level, account creation), and a list match recorded then is applied again, so a change
 * in the result comes from the rules.
 */

export interface BacktestProgress {
  phase: "counting" | "replaying" | "done";
  rows_done: number;
  rows_total: number;
  fraction: number;
  elapsed_ms: number;
}

export interface BacktestOptions {
  runner: ReportRunner;
  ruleset: Pick<Ruleset, "rules" | "thresholds" | "fallback_decision" | "time_budget_ms"> & { version: number | null };
  range: BacktestRangeInput;
  settings: Pick<Settings, "timeZone">;
  onProgress?: (p: BacktestProgress) => void;
  signal?: AbortSignal;
  /** Examples kept per kind of change (default 10). */
  examples?: number;
  /** Longest run before it is stopped (default 30 minutes). */
  timeoutMs?: number;
}

const TX_FIELDS = Object.keys(Transaction.shape) as Array<keyof Transaction>;
const q = (name: string) => `d."${name}"`;

/** The lake rows a backtest replays, oldest first, with their label. Trino dialect, like the reports. */
export const BACKTEST_SQL = `SELECT ${[...TX_FIELDS, "decision", "score", "rules_fired", "list_match", "risk_level", "account_created"].map(q).join(", ")}, l.label
FROM decisions d
LEFT JOIN labels l ON l.transaction_id = d.transaction_id
WHERE d.dt BETWEEN ? AND ?
ORDER BY d."timestamp", d.transaction_id`;

const COUNT_SQL = `SELECT count(*) AS replayed, count_if(dt >= ?) AS transactions FROM decisions WHERE dt BETWEEN ? AND ?`;

const DAY_MS = 86_400_000;
const MAX_ROWS = 2 ** 52;
const RISK = new Set<string>(RISK_LEVELS);
const OUTCOMES = new Set<string>(DECISIONS);

function zeroOutcomes(): Record<DecisionOutcome, number> {
  return { APPROVED: 0, REVIEW: 0, BLOCKED: 0 };
}

function rates(detected: number, fraud: number, falsePositives: number, legitimate: number): z.infer<typeof BacktestRates> {
  return {
    detected,
    detection_rate: fraud === 0 ? null : detected / fraud,
    false_positives: falsePositives,
    false_positive_rate: legitimate === 0 ? null : falsePositives / legitimate,
  };
}

/** One lake row as the transaction it was, parsed with the transaction schema. */
function rowTransaction(row: ReportCell[]): Transaction {
  const raw: Record<string, unknown> = {};
  TX_FIELDS.forEach((f, i) => {
    const v = row[i];
    if (v !== null && v !== undefined) raw[f] = v;
  });
  const parsed = Transaction.safeParse(raw);
  if (!parsed.success) throw new Error(`lake row ${String(raw.transaction_id)} is not a valid transaction: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The list match recorded with a decision (`kind:field`), as an entry that matches the transaction again. */
function recordedListMatch(value: ReportCell, tx: Transaction): ListEntry[] {
  if (typeof value !== "string") return [];
  const [kind, field] = value.split(":") as [string, string];
  if (!(LIST_KINDS as readonly string[]).includes(kind) || !(LIST_FIELDS as readonly string[]).includes(field)) return [];
  const matched = tx[field as (typeof LIST_FIELDS)[number]];
  if (matched === undefined) return [];
  return [
    {
      id: 1,
      kind: kind as ListEntry["kind"],
      field: field as ListEntry["field"],
      value: matched,
      reason: "list match recorded at decision time",
      expires_at: null,
      created_at: tx.timestamp,
      created_by: "backtest",
    },
  ];
}

/** Replays the lake over a date range with a draft ruleset and compares with what was decided. */
export async function backtestRuleset(options: BacktestOptions): Promise<BacktestResult> {
  const range = BacktestRange.parse(options.range);
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const start = new Date(Date.parse(`${range.from}T00:00:00Z`) - range.warmup_days * DAY_MS).toISOString().slice(0, 10);
  const compiled = compileRuleset({ ...options.ruleset, version: options.ruleset.version ?? 0 });
  // A replay judges the rules, not this machine's speed: no time budget.
  compiled.time_budget_ms = Number.POSITIVE_INFINITY;
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const base = { row_limit: MAX_ROWS, timeout_ms: timeoutMs, trusted: true } satisfies Partial<ReportQuery>;
  const str = (value: string) => ({ type: "date" as const, value });

  options.onProgress?.({ phase: "counting", rows_done: 0, rows_total: 0, fraction: 0, elapsed_ms: elapsed() });
  const counted = rowObjects(
    await collectReport(options.runner.stream({ ...base, sql: COUNT_SQL, params: [str(range.from), str(start), str(range.to)] }, { signal: options.signal })),
  )[0];
  const total = Number(counted?.replayed ?? 0);

  const examplesKept = options.examples ?? 10;
  const outcomes = { recorded: zeroOutcomes(), draft: zeroOutcomes() };
  const changes = new Map<string, { from: DecisionOutcome; to: DecisionOutcome; count: number; amount: number; examples: BacktestExample[] }>();
  const ruleStats = new Map(
    compiled.rules.map((r) => [r.rule.id, { id: r.rule.id, name: r.rule.name, hits: 0, live_hits: 0, errors: 0, labelled: 0, fraud: 0, legitimate: 0 }]),
  );
  const labelCounts = { fraud: 0, legitimate: 0 };
  const flagged = { recorded: { fraud: 0, legitimate: 0 }, draft: { fraud: 0, legitimate: 0 } };
  const blocked = new Map<string, { recorded: number; draft: number }>();
  const profiles = new Map<string, Profile>();
  let replayed = 0;
  let transactions = 0;
  let fallbacks = 0;
  let lastProgress = 0;

  const col = {
    decision: TX_FIELDS.length,
    score: TX_FIELDS.length + 1,
    rules: TX_FIELDS.length + 2,
    list: TX_FIELDS.length + 3,
    risk: TX_FIELDS.length + 4,
    created: TX_FIELDS.length + 5,
    label: TX_FIELDS.length + 6,
  };

  const replay = (row: ReportCell[]) => {
    const tx = rowTransaction(row);
    const recorded = row[col.decision];
    if (typeof recorded !== "string" || !OUTCOMES.has(recorded)) throw new Error(`lake row ${tx.transaction_id} has no valid decision`);
    const risk = row[col.risk];
    const created = row[col.created];
    let profile = profiles.get(tx.user_id) ?? newProfile(tx.user_id, typeof created === "string" ? created : tx.timestamp);
    if (typeof risk === "string" && RISK.has(risk) && risk !== profile.risk_level) profile = { ...profile, risk_level: risk as RiskLevel };
    replayed++;
    if (tx.timestamp.slice(0, 10) < range.from) {
      profiles.set(tx.user_id, applyTransaction(profile, tx, tx.timestamp, recorded === "APPROVED"));
      return;
    }
    transactions++;
    const { decision, nextProfile } = decide({
      tx,
      profile,
      ruleset: compiled,
      lists: recordedListMatch(row[col.list] ?? null, tx),
      settings: options.settings,
      decidedAt: tx.timestamp,
    });
    profiles.set(tx.user_id, nextProfile);
    const was = recorded as DecisionOutcome;
    const now = decision.decision;
    const rawLabel = row[col.label];
    const label: Label | null = rawLabel === "fraud" || rawLabel === "legitimate" ? rawLabel : null;
    outcomes.recorded[was]++;
    outcomes.draft[now]++;
    if (label) {
      labelCounts[label]++;
      if (was !== "APPROVED") flagged.recorded[label]++;
      if (now !== "APPROVED") flagged.draft[label]++;
    }
    if (decision.fallback_reason !== null) fallbacks++;
    for (const r of decision.errored_rules) ruleStats.get(r.id)!.errors++;
    for (const r of decision.rules) {
      const s = ruleStats.get(r.id)!;
      s.hits++;
      if (label) {
        s.labelled++;
        s[label]++;
      }
    }
    const liveRules = row[col.rules];
    if (Array.isArray(liveRules))
      for (const id of liveRules)
        if (typeof id === "string") {
          const s = ruleStats.get(id);
          if (s) s.live_hits++;
        }
    if (was === "BLOCKED" || now === "BLOCKED") {
      const b = blocked.get(tx.currency) ?? { recorded: 0, draft: 0 };
      if (was === "BLOCKED") b.recorded += tx.amount;
      if (now === "BLOCKED") b.draft += tx.amount;
      blocked.set(tx.currency, b);
    }
    if (was !== now) {
      const key = `${was}>${now}`;
      let c = changes.get(key);
      if (!c) changes.set(key, (c = { from: was, to: now, count: 0, amount: 0, examples: [] }));
      c.count++;
      c.amount += tx.amount;
      const smallest = c.examples.at(-1);
      if (c.examples.length < examplesKept || (smallest && tx.amount > smallest.amount)) {
        const score = row[col.score];
        c.examples.push({
          transaction_id: tx.transaction_id,
          user_id: tx.user_id,
          amount: tx.amount,
          currency: tx.currency,
          timestamp: tx.timestamp,
          recorded_score: typeof score === "number" ? score : null,
          draft_score: decision.score,
          draft_rules: decision.rules.map((r) => r.id),
          label,
        });
        c.examples.sort((a, b) => b.amount - a.amount || (a.transaction_id < b.transaction_id ? -1 : 1));
        if (c.examples.length > examplesKept) c.examples.pop();
      }
    }
  };

  const rowsQuery: ReportQuery = { ...base, sql: BACKTEST_SQL, params: [str(start), str(range.to)] };
  for await (const event of options.runner.stream(rowsQuery, { signal: options.signal })) {
    if (event.type !== "rows") continue;
    if (options.signal?.aborted) throw new VisibleError("BACKTEST_CANCELLED", "the backtest was cancelled");
    for (const row of event.rows) replay(row);
    if (options.onProgress && performance.now() - lastProgress > 250) {
      lastProgress = performance.now();
      options.onProgress({ phase: "replaying", rows_done: replayed, rows_total: total, fraction: total === 0 ? 1 : replayed / total, elapsed_ms: elapsed() });
    }
  }

  const ms = elapsed();
  options.onProgress?.({ phase: "done", rows_done: replayed, rows_total: total, fraction: 1, elapsed_ms: ms });
  const order = DECISIONS.indexOf.bind(DECISIONS);
  return {
    ruleset_version: options.ruleset.version,
    from: range.from,
    to: range.to,
    warmup_days: range.warmup_days,
    transactions,
    replayed,
    elapsed_ms: Math.round(ms),
    rows_per_second: ms === 0 ? replayed : Math.round(replayed / (ms / 1000)),
    outcomes,
    fallbacks,
    changes: [...changes.values()]
      .sort((a, b) => order(a.from) - order(b.from) || order(a.to) - order(b.to))
      .map((c) => ({ ...c, amount: Math.round(c.amount * 100) / 100 })),
    rules: [...ruleStats.values()].map((s) => ({
      ...s,
      hit_rate: transactions === 0 ? 0 : s.hits / transactions,
      precision: s.labelled === 0 ? null : s.fraud / s.labelled,
    })),
    labels: {
      ...labelCounts,
      recorded: rates(flagged.recorded.fraud, labelCounts.fraud, flagged.recorded.legitimate, labelCounts.legitimate),
      draft: rates(flagged.draft.fraud, labelCounts.fraud, flagged.draft.legitimate, labelCounts.legitimate),
    },
    blocked_amount: [...blocked.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([currency, b]) => ({ currency, recorded: Math.round(b.recorded * 100) / 100, draft: Math.round(b.draft * 100) / 100 })),
  };
}

export interface BacktestServiceDeps {
  runner: ReportRunner;
  rules: Pick<RuleStore, "get">;
  store: BacktestStore;
  settings: Pick<Settings, "timeZone">;
  clock?: () => Date;
}

export interface RunBacktestOptions {
  onProgress?: (p: BacktestProgress) => void;
  signal?: AbortSignal;
}

/** Backtests of stored ruleset versions (drafts usually), saved with the version they tested. */
export class Backtests {
  constructor(private readonly deps: BacktestServiceDeps) {}

  /** Backtests a stored version over a range and saves the result with it. */
  async run(version: number, range: BacktestRangeInput, actor: Actor, options: RunBacktestOptions = {}): Promise<BacktestRecord> {
    const ruleset = await this.deps.rules.get(version);
    if (!ruleset) throw new VisibleError("RULESET_NOT_FOUND", `no ruleset version ${version}`);
    const result = await backtestRuleset({ runner: this.deps.runner, ruleset, range: parseRange(range), settings: this.deps.settings, ...options });
    return this.deps.store.save({ ...result, ruleset_version: version }, actor, (this.deps.clock ?? (() => new Date()))());
  }

  /** Backtests rules that are not saved yet, checked as saving checks them; nothing is stored. */
  async preview(content: RulesetContent, range: BacktestRangeInput, options: RunBacktestOptions = {}): Promise<BacktestResult> {
    const ruleset = { ...validateRulesetContent(content), version: null };
    return backtestRuleset({ runner: this.deps.runner, ruleset, range: parseRange(range), settings: this.deps.settings, ...options });
  }

  /** Saved backtests of a version, newest first. */
  async list(version: number): Promise<BacktestRecord[]> {
    return this.deps.store.list(version);
  }

  async get(id: number): Promise<BacktestRecord | undefined> {
    return this.deps.store.get(id);
  }
}

function parseRange(input: BacktestRangeInput): BacktestRange {
  const parsed = BacktestRange.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (fields[issue.path.join(".") || "_"] ??= []).push(issue.message);
  throw new VisibleError("INVALID_BACKTEST_RANGE", "the backtest range is not valid", fields);
}
