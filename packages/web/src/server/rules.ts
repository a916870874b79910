import "server-only";
import { Features, type Rule, Ruleset } from "@fraud/core";
import { platform } from "./runtime";

/**
 * The ruleset an edit starts from: the newest version when it is a draft (the working draft),
 * otherwise the live one. Every edit saves a new draft version; an admin publishes it.
 */
export async function rulesState() {
  const p = await platform();
  const [versions, liveVersion] = await Promise.all([p.rules.versions(), p.rules.liveVersion()]);
  const live = versions.find((v) => v.version === liveVersion);
  const newest = versions[0];
  const draft = newest && newest.status === "draft" && newest.version > liveVersion ? newest : undefined;
  return { versions, live, draft, working: draft ?? live };
}

export async function ruleStats() {
  const p = await platform();
  return { hits: await p.decisions.ruleHits(), labels: (await p.reviews.labelStats()).by_rule };
}

export function workingContent(working: Ruleset.Ruleset | undefined): Ruleset.RulesetContent {
  return working ? Ruleset.contentOf(working) : Ruleset.defaultRulesetContent();
}

const RULE_FIELDS = ["name", "description", "expression", "score", "enabled"] as const;
export type RuleField = (typeof RULE_FIELDS)[number];

export interface RulesetDiff {
  added: Rule.Rule[];
  removed: Rule.Rule[];
  changed: Array<{ id: string; fields: Array<{ field: RuleField; before: string; after: string }> }>;
  settings: Array<{ field: string; before: string; after: string }>;
  same: boolean;
}

/** What changes from one ruleset to another, rule by rule and field by field. */
export function diffRulesets(before: Ruleset.RulesetContent | undefined, after: Ruleset.RulesetContent): RulesetDiff {
  const old = new Map((before?.rules ?? []).map((r) => [r.id, r]));
  const now = new Map(after.rules.map((r) => [r.id, r]));
  const added = after.rules.filter((r) => !old.has(r.id));
  const removed = (before?.rules ?? []).filter((r) => !now.has(r.id));
  const changed: RulesetDiff["changed"] = [];
  for (const r of after.rules) {
    const o = old.get(r.id);
    if (!o) continue;
    const fields = RULE_FIELDS.filter((f) => o[f] !== r[f]).map((f) => ({ field: f, before: String(o[f]), after: String(r[f]) }));
    if (fields.length) changed.push({ id: r.id, fields });
  }
  const settings: RulesetDiff["settings"] = [];
  if (before) {
    const pairs: Array<[string, unknown, unknown]> = [
      ["thresholds.review", before.thresholds.review, after.thresholds.review],
      ["thresholds.block", before.thresholds.block, after.thresholds.block],
      ["fallback_decision", before.fallback_decision, after.fallback_decision],
      ["time_budget_ms", before.time_budget_ms, after.time_budget_ms],
    ];
    for (const [field, b, a] of pairs) if (b !== a) settings.push({ field, before: String(b), after: String(a) });
  }
  return { added, removed, changed, settings, same: !added.length && !removed.length && !changed.length && !settings.length };
}

/** The feature catalogue as the rule editor shows it. */
export function featureCatalogue() {
  return Object.entries(Features.FEATURES).map(([name, spec]) => ({ name, type: spec.type, nullable: "nullable" in spec, description: spec.description }));
}
export type FeatureInfo = ReturnType<typeof featureCatalogue>[number];
