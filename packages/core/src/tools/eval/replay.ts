import { decide } from "../../decision/decision.ts";
import { LAB_CUSTOMERS, labScenario, type LabLabel } from "../../demo/scenario.ts";
import type { ListEntry } from "../../list/lists.ts";
import { profileFromSummary, type Profile } from "../../profile/profile.ts";
import type { CompiledRuleset, DecisionOutcome } from "../../ruleset/ruleset.ts";
import { defaultSettings, type Settings } from "../../settings/settings.ts";
import { parseTransaction, type TransactionInput } from "../../transaction/transaction.ts";
import { EvalMetrics, type EvalReport } from "./metrics.ts";

export interface ReplayOptions {
  ruleset: CompiledRuleset;
  /** Time zone for hours of day: the data set's own clock. */
  timeZone: string;
  /** Profiles kept in memory; the least recently active are forgotten past this (default 100,000). */
  maxProfiles?: number;
  lists?: readonly ListEntry[];
}

export interface ReplayReport extends EvalReport {
  skipped: number;
  skipped_frauds: number;
  skip_reasons: Record<string, number>;
  profiles: number;
  profiles_forgotten: number;
}

/**
 * Replays labelled transactions, in the order given, through the live engine's own pure path:
 * decide() on the customer's profile, then the profile decide() returns, as the decision log
 * would store it. Profiles live in memory, so a million rows take seconds, not a database.
 */
export class Replay {
  private readonly profiles = new Map<string, Profile>();
  private readonly metrics: EvalMetrics;
  private readonly settings: Settings;
  private readonly maxProfiles: number;
  private skipped = 0;
  private skippedFrauds = 0;
  private readonly skipReasons = new Map<string, number>();
  private forgotten = 0;

  constructor(private readonly options: ReplayOptions) {
    this.metrics = new EvalMetrics(options.ruleset.thresholds);
    this.settings = { ...defaultSettings, timeZone: options.timeZone };
    this.maxProfiles = options.maxProfiles ?? 100_000;
  }

  /** Seeds a customer's profile before the replay (the lab's customers come with history). */
  seed(profile: Profile): void {
    this.profiles.set(profile.user_id, profile);
  }

  /** Decides one transaction and learns from it; returns the decision, or undefined when the row is not a valid transaction. */
  step(input: TransactionInput, fraud: boolean): { decision: DecisionOutcome; score: number; rules: string[] } | undefined {
    const at = typeof input.timestamp === "string" ? new Date(input.timestamp) : new Date();
    const parsed = parseTransaction(input, { settings: this.settings, now: Number.isNaN(at.getTime()) ? new Date() : at });
    if (!parsed.ok) {
      this.skipped++;
      if (fraud) this.skippedFrauds++;
      for (const [field, messages] of Object.entries(parsed.fields)) {
        const reason = `${field}: ${messages[0] ?? "invalid"}`;
        this.skipReasons.set(reason, (this.skipReasons.get(reason) ?? 0) + 1);
      }
      return undefined;
    }
    const tx = parsed.transaction;
    const profile = this.profiles.get(tx.user_id);
    const started = performance.now();
    const { decision, nextProfile } = decide({
      tx,
      profile,
      ruleset: this.options.ruleset,
      lists: this.options.lists ?? [],
      settings: this.settings,
      decidedAt: tx.timestamp,
    });
    const latencyUs = (performance.now() - started) * 1000;
    // Most recently active last: the first key is the one to forget.
    if (profile) this.profiles.delete(tx.user_id);
    this.profiles.set(tx.user_id, nextProfile);
    if (this.profiles.size > this.maxProfiles) {
      this.profiles.delete(this.profiles.keys().next().value!);
      this.forgotten++;
    }
    this.metrics.add(decision, fraud, latencyUs);
    return { decision: decision.decision, score: decision.score, rules: decision.rules.map((r) => r.id) };
  }

  report(): ReplayReport {
    return {
      ...this.metrics.report(this.options.ruleset.rules.map((r) => r.rule.id)),
      skipped: this.skipped,
      skipped_frauds: this.skippedFrauds,
      skip_reasons: Object.fromEntries(this.skipReasons),
      profiles: this.profiles.size,
      profiles_forgotten: this.forgotten,
    };
  }
}

/** The lab scenario's label that counts as fraud; "normal" and "new_customer" are legitimate. */
export const LAB_FRAUD_LABEL: LabLabel = "suspicious";

/**
 * The lab scenario (`simulate --scenario lab`), labelled, through the same replay: the lab's
 * five customers with their 30-day figures, then its 50 transactions.
 */
export function evaluateLab(
  ruleset: CompiledRuleset,
  options: { seed?: number; timeZone?: string; end?: Date } = {},
): ReplayReport & { by_label: Record<LabLabel, Record<DecisionOutcome, number>> } {
  const end = options.end ?? new Date("2025-06-15T12:00:00.000Z");
  const txs = labScenario({ seed: options.seed ?? 42, end, runId: "lab-eval" });
  const asOf = txs[0]!.transaction.timestamp!;
  const replay = new Replay({ ruleset, timeZone: options.timeZone ?? defaultSettings.timeZone });
  for (const c of LAB_CUSTOMERS) replay.seed(profileFromSummary({ ...c, account_created: `${c.account_created}T00:00:00.000Z`, as_of: asOf }));
  const byLabel: Record<LabLabel, Record<DecisionOutcome, number>> = {
    normal: { APPROVED: 0, REVIEW: 0, BLOCKED: 0 },
    suspicious: { APPROVED: 0, REVIEW: 0, BLOCKED: 0 },
    new_customer: { APPROVED: 0, REVIEW: 0, BLOCKED: 0 },
  };
  for (const { label, transaction } of txs) {
    const out = replay.step(transaction, label === LAB_FRAUD_LABEL);
    if (out) byLabel[label][out.decision]++;
  }
  return { ...replay.report(), by_label: byLabel };
}
