import {
  compileRuleset,
  decide,
  DEMO_RULESET,
  newProfile,
  parseTransaction,
  RulesetContent,
  seededRandom,
  type Features,
  type Profile,
  type RiskLevel,
  type Transaction,
} from "@fraud/core";

export interface EngineInput {
  tx: Transaction;
  /** The customer's profile before this transaction (undefined for a first one). */
  profile: Profile | undefined;
  features: Features;
}

const CITIES = ["Douala, CM", "Yaoundé, CM", "Garoua, CM", "Bamenda, CM", "Libreville, GA", "Brazzaville, CG", "N'Djamena, TD", "Lagos, NG", "Paris, FR"];
const RISK: RiskLevel[] = ["LOW", "LOW", "LOW", "MEDIUM", "LOW", "MEDIUM", "LOW", "LOW", "LOW", "LOW", "MEDIUM", "LOW", "LOW", "LOW", "LOW", "LOW", "LOW", "LOW", "LOW", "HIGH"];
const SETTINGS = { timeZone: "Africa/Douala" };

/**
 * Realistic engine inputs, the same for every engine measured: customers with a usual device,
 * city and amount, whose histories grow through decide() as in production; about one
 * transaction in eight is unusual (new device, large amount, another country, rapid retry, a
 * new account), so every demo rule fires on some inputs and most inputs fire none.
 */
export function engineInputs(count: number, seed = 7): EngineInput[] {
  const rnd = seededRandom(seed);
  const ruleset = compileRuleset({ version: 1, ...RulesetContent.parse(DEMO_RULESET) });
  const customers = Math.max(10, Math.floor(count / 20));
  const profiles = new Map<string, Profile>();
  const start = Date.parse("2025-06-01T00:00:00.000Z");
  let now = start;
  const inputs: EngineInput[] = [];
  for (let i = 0; i < count; i++) {
    const k = Math.floor(rnd() * customers);
    const user = `cust_${k}`;
    // Amounts in the lab's units, which the demo ruleset's thresholds are written in.
    const usual = 30 + (k % 40) * 7;
    const odd = rnd();
    now += Math.floor(rnd() * 20_000);
    const fields = {
      transaction_id: `bench-${i}`,
      user_id: user,
      amount: Math.max(5, Math.round(usual * Math.exp((rnd() - 0.5) * 1.2) * (odd < 0.04 ? 4 + rnd() * 30 : 1))),
      merchant_id: `merchant_${Math.floor(rnd() * 200)}`,
      merchant_category: ["GROCERY", "AIRTIME", "TRANSPORT", "BILLS"][k % 4]!,
      device_id: odd > 0.96 ? `device_new_${i}` : `device_${k}`,
      location: odd > 0.93 && odd <= 0.96 ? CITIES[Math.floor(rnd() * CITIES.length)]! : CITIES[k % 4]!,
      type: (["PAYMENT", "TRANSFER", "CASH_OUT", "CASH_IN"] as const)[Math.floor(rnd() * 4)]!,
      timestamp: new Date(odd > 0.9 && odd <= 0.93 ? now - 19_000 : now).toISOString(),
    };
    const parsed = parseTransaction(fields, { now: new Date(now + 60_000) });
    if (!parsed.ok) throw new Error(`bench input ${i} is not valid: ${JSON.stringify(parsed.fields)}`);
    const tx = parsed.transaction;
    let profile = profiles.get(user);
    if (!profile && k % 25 !== 0) {
      // Most customers exist before the run, some with a new account, some HIGH risk.
      const opened = new Date(start - (k % 25 === 1 ? 2 : 400) * 86_400_000).toISOString();
      profile = { ...newProfile(user, opened), risk_level: RISK[k % RISK.length]! };
    }
    const { decision, nextProfile } = decide({ tx, profile, ruleset, lists: [], settings: SETTINGS, decidedAt: tx.timestamp });
    inputs.push({ tx, profile, features: decision.features as unknown as Features });
    profiles.set(user, nextProfile);
  }
  return inputs;
}
