import { Decision, Demo, type Features, Profile, Ruleset, Transaction } from "@fraud/core";

export interface EngineInput {
  tx: Transaction.Transaction;
  /** The customer's profile before this transaction (undefined for a first one). */
  profile: Profile.Profile | undefined;
  features: Features.Features;
}

const RISK: Profile.RiskLevel[] = [
  "LOW",
  "LOW",
  "LOW",
  "MEDIUM",
  "LOW",
  "MEDIUM",
  "LOW",
  "LOW",
  "LOW",
  "LOW",
  "MEDIUM",
  "LOW",
  "LOW",
  "LOW",
  "LOW",
  "LOW",
  "LOW",
  "LOW",
  "LOW",
  "HIGH",
];
const SETTINGS = { timeZone: "Africa/Douala" };

/**
 * Realistic engine inputs, the same for every engine measured: core's mixed synthetic traffic,
 * whose customers' histories grow through decide() as in production; some customers open their
 * account just before the run, some are HIGH risk.
 */
export function engineInputs(count: number, seed = 7): EngineInput[] {
  const ruleset = Ruleset.compileRuleset({ version: 1, ...Ruleset.RulesetContent.parse(Demo.DEMO_RULESET) });
  const customers = Math.max(10, Math.floor(count / 20));
  const profiles = new Map<string, Profile.Profile>();
  const start = Date.parse("2025-06-01T00:00:00.000Z");
  const inputs: EngineInput[] = [];
  // Amounts in the lab's units, which the demo ruleset's thresholds are written in.
  for (const { customer: k, input: fields, now } of Demo.mixedTraffic(count, seed, { runId: "bench", customers, units: "lab", start })) {
    const i = inputs.length;
    const user = fields.user_id;
    const parsed = Transaction.parseTransaction(fields, { now: new Date(now + 60_000) });
    if (!parsed.ok) throw new Error(`bench input ${i} is not valid: ${JSON.stringify(parsed.fields)}`);
    const tx = parsed.transaction;
    let profile = profiles.get(user);
    if (!profile && k % 25 !== 0) {
      // Most customers exist before the run, some with a new account, some HIGH risk.
      const opened = new Date(start - (k % 25 === 1 ? 2 : 400) * 86_400_000).toISOString();
      profile = { ...Profile.newProfile(user, opened), risk_level: RISK[k % RISK.length]! };
    }
    const { decision, nextProfile } = Decision.decide({ tx, profile, ruleset, lists: [], settings: SETTINGS, decidedAt: tx.timestamp });
    inputs.push({ tx, profile, features: decision.features as unknown as Features.Features });
    profiles.set(user, nextProfile);
  }
  return inputs;
}
