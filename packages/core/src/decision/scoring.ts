import { createHash, hash } from "node:crypto";
import { decide, type Decision } from "./decision.ts";
import { listKeys, type ListEntry } from "../list/lists.ts";
import type { DecisionLog, ListStore, RuleStore, ShadowRulesetStore, TestDecisionLog } from "../platform/ports.ts";
import { compileRuleset, type CompiledRuleset } from "../ruleset/ruleset.ts";
import type { Settings } from "../settings/settings.ts";
import type { FieldErrors, FieldIssue } from "../errors/errors.ts";
import type { DecisionTiming } from "../telemetry/decision-timing.ts";
import { parseTransaction, type Transaction, type TransactionInput } from "../transaction/transaction.ts";

export type SubmitResult =
  { status: "invalid"; fields: FieldErrors; issues: FieldIssue[] } | { status: "recorded" | "duplicate" | "conflict"; decision: Decision };

export interface ScoringDeps {
  decisions: DecisionLog;
  /** Where test transactions go (the dashboard's); without it, `submitTest` refuses to run. */
  tests?: TestDecisionLog;
  rules: RuleStore;
  lists: ListStore;
  /** Where the shadow ruleset is set, if this deployment has one. */
  shadow?: ShadowRulesetStore;
  settings: Settings;
  clock?: () => Date;
  /** How long a compiled ruleset is trusted before the live version is checked again (0: every time). */
  rulesetCacheMs?: number;
}

/**
 * Same transaction, same fingerprint: tells a client's retry from a reused transaction id. Values
 * the server would fill in are filled in, and the timestamp is compared as an instant, so a retry
 * written with "+01:00" instead of "Z", or with the default currency spelled out, is a retry.
 */
export function fingerprint(input: TransactionInput, settings: Pick<Settings, "currency">): string {
  // Object.assign rather than a spread followed by a property: see parseTransaction.
  const normalized: Record<string, unknown> = Object.assign({}, input, { currency: input.currency ?? settings.currency });
  if (input.timestamp !== undefined) normalized.timestamp = new Date(input.timestamp).toISOString();
  const canonical = JSON.stringify(
    Object.keys(normalized)
      .sort()
      .map((k) => [k, normalized[k]]),
  );
  return sha256(canonical).slice(0, 22);
}

/** What names a sandbox: lower-case letters, digits and dashes, as the dashboard's lab run ids. */
export const SANDBOX_NAME = /^[a-z0-9-]{1,64}$/;

/** SHA-256 in base64url: one call where Node has crypto.hash (20.12 and later), a Hash object before. */
const sha256: (text: string) => string =
  typeof hash === "function" ? (text) => hash("sha256", text, "base64url") : (text) => createHash("sha256").update(text).digest("base64url");

/** Scores a transaction before it is accepted, and records the decision exactly once. */
export class Scoring {
  private compiled: CompiledRuleset | undefined;
  private shadowCompiled: CompiledRuleset | undefined;
  private checkedAt = -Infinity;
  private readonly clock: () => Date;

  constructor(private readonly deps: ScoringDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Forget the cached ruleset, e.g. right after publishing in this process. */
  invalidate(): void {
    this.checkedAt = -Infinity;
  }

  async ruleset(): Promise<CompiledRuleset | undefined> {
    const now = performance.now();
    if (now - this.checkedAt < (this.deps.rulesetCacheMs ?? 0) && this.compiled) return this.compiled;
    const [version, shadowVersion] = await Promise.all([this.deps.rules.liveVersion(), this.deps.shadow?.shadowVersion() ?? 0]);
    if (version === 0) this.compiled = undefined;
    else if (this.compiled?.version !== version) {
      const live = await this.deps.rules.live();
      this.compiled = live ? compileRuleset(live) : undefined;
    }
    if (shadowVersion === 0 || shadowVersion === version) this.shadowCompiled = undefined;
    else if (this.shadowCompiled?.version !== shadowVersion) {
      const shadow = await this.deps.rules.get(shadowVersion);
      this.shadowCompiled = shadow ? compileRuleset(shadow) : undefined;
    }
    this.checkedAt = now;
    return this.compiled;
  }

  /** `timing`, when given, is told when the decision was scored and committed (for its trace). */
  async submit(input: unknown, timing?: DecisionTiming): Promise<SubmitResult> {
    const started = performance.now();
    const parsed = parseTransaction(input, { settings: this.deps.settings, now: this.clock() });
    if (!parsed.ok) return { status: "invalid", fields: parsed.fields, issues: parsed.issues };
    const tx = parsed.transaction;
    const [ruleset, lists] = await Promise.all([this.ruleset(), this.deps.lists.find(listKeys(tx))]);
    return this.deps.decisions.record(tx, fingerprint(input as TransactionInput, this.deps.settings), this.scorer(tx, ruleset, lists, started, timing), timing);
  }

  /**
   * Scores a test transaction exactly as `submit` would score it now, and records it as a test
   * (see TestDecisionLog): no real profile, decision, alert, figure or lake row changes. Tests in
   * the same `sandbox` see each other in the sandbox's copy of the customers' profiles, as a
   * scenario's transactions would; without one, each test reads the real profile as it is.
   */
  async submitTest(input: unknown, options: { sandbox?: string } = {}): Promise<SubmitResult> {
    const tests = this.deps.tests;
    if (!tests) throw new Error("this scoring service has no test decision log");
    const { sandbox } = options;
    if (sandbox !== undefined && !SANDBOX_NAME.test(sandbox)) throw new Error("a sandbox name is lower-case letters, digits and dashes");
    const started = performance.now();
    const parsed = parseTransaction(input, { settings: this.deps.settings, now: this.clock() });
    if (!parsed.ok) return { status: "invalid", fields: parsed.fields, issues: parsed.issues };
    const tx = parsed.transaction;
    const [ruleset, lists] = await Promise.all([this.ruleset(), this.deps.lists.find(listKeys(tx))]);
    return tests.record(tx, fingerprint(input as TransactionInput, this.deps.settings), sandbox, this.scorer(tx, ruleset, lists, started));
  }

  /** The decision for `tx` given the profile the store reads: what both logs call inside their write. */
  private scorer(
    tx: Transaction,
    ruleset: CompiledRuleset | undefined,
    lists: ListEntry[],
    started: number,
    timing?: DecisionTiming,
  ): Parameters<DecisionLog["record"]>[2] {
    const shadow = this.shadowCompiled;
    return (profile) => {
      if (timing) timing.scoreStart = performance.now();
      const out = decide({ tx, profile, ruleset, lists, settings: this.deps.settings, decidedAt: this.clock().toISOString(), shadow });
      const ended = performance.now();
      if (timing) timing.scoreEnd = ended;
      return Object.assign({}, out, { latency_ms: Math.round((ended - started) * 1000) / 1000 });
    };
  }
}
