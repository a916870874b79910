import { describe, expect, it } from "vitest";
import { decide, evaluateRules, type DecideOutput } from "../src/decision/decision.ts";
import { DEMO_RULESET } from "../src/demo/ruleset.ts";
import { VisibleError } from "../src/errors/errors.ts";
import { computeFeatures } from "../src/features/features.ts";
import { lookupPlace } from "../src/features/geo.ts";
import type { ListEntry } from "../src/list/lists.ts";
import { type Profile, type RiskLevel } from "../src/profile/profile.ts";
import { checkExpression, MAX_EXPRESSION_LENGTH } from "../src/rule/rule.ts";
import {
  defaultRulesetContent,
  outcomeFor,
  raisesAlert,
  validateRulesetContent,
  type CompiledRuleset,
  type RulesetContentInput,
} from "../src/ruleset/ruleset.ts";
import type { Transaction, TransactionInput } from "../src/transaction/transaction.ts";
import { at, compile, customer, DAY, demoRuleset, HOUR, NOW, SECOND, tx, withHistory } from "./support.ts";

const SETTINGS = { timeZone: "Africa/Douala" };

function decideWith(
  t: Transaction,
  profile: Profile | undefined,
  ruleset: CompiledRuleset | undefined = demoRuleset(),
  lists: ListEntry[] = [],
): DecideOutput["decision"] {
  return decide({ tx: t, profile, ruleset, lists, settings: SETTINGS, decidedAt: NOW.toISOString() }).decision;
}

/** The ids of the demo rules that fire, in ruleset order. */
function fired(t: Transaction, profile: Profile | undefined): string[] {
  const d = decideWith(t, profile);
  expect(d.errored_rules).toEqual([]);
  return d.rules.map((r) => r.id);
}

/**
 * A regular customer: account a year old, `count` approved payments of `amount` on device-1 at
 * `location` over the last days, the latest `lastAgo` ms before NOW; device-2 used once, long ago.
 */
function regular(options: { amount?: number; count?: number; location?: string; lastAgo?: number; risk?: RiskLevel } = {}): Profile {
  const { amount = 100, count = 10, location = "Douala, CM", lastAgo = DAY, risk = "LOW" } = options;
  const history: Array<Partial<TransactionInput>> = [];
  for (let i = count - 1; i >= 0; i--) {
    history.push({ amount, device_id: i === count - 1 ? "device-2" : "device-1", location, timestamp: at(-lastAgo - i * HOUR) });
  }
  return withHistory(customer({ risk_level: risk }), history);
}

/** A payment like the regular customer's usual one; fields override. */
const usual = (fields: Partial<TransactionInput> = {}) => tx({ amount: 100, device_id: "device-1", location: "Douala, CM", ...fields });

describe("checkExpression", () => {
  it("accepts a boolean expression over the features and lists what it reads", () => {
    expect(checkExpression("amount > 5.0 * avg_amount_30d && device_is_new")).toEqual({ ok: true, reads: ["amount", "avg_amount_30d", "device_is_new"] });
    expect(checkExpression('risk_level == "HIGH" || tx_type in ["CASH_OUT", "TRANSFER"]')).toMatchObject({ ok: true });
    expect(checkExpression("distance_km != null && distance_km > 500.0")).toMatchObject({ ok: true, reads: ["distance_km"] });
  });

  it("reports a syntax error at its position", () => {
    expect(checkExpression("amount > ")).toEqual({ ok: false, error: { message: "Unexpected token: EOF", start: 9, end: 9, code: "unexpected_token" } });
    const r = checkExpression("amount >>> 2.0");
    expect(r.ok === false && [r.error.code, r.error.start]).toEqual(["unexpected_token", 8]);
  });

  it("reports a type error at the offending sub-expression", () => {
    const r = checkExpression("amount > 1.0 && tx_type == 3");
    expect(r).toEqual({ ok: false, error: { message: "no such overload: string == int", start: 16, end: 28, code: "no_such_overload" } });
  });

  it("reports an unknown feature by name and position", () => {
    const r = checkExpression("amount > 1.0 && amout_ratio > 2.0");
    expect(r.ok === false && r.error).toMatchObject({ code: "unknown_variable", start: 16, end: 27 });
    expect(r.ok === false && r.error.message).toContain("amout_ratio");
  });

  it("refuses an expression that is not true or false", () => {
    expect(checkExpression("amount * 2.0")).toEqual({
      ok: false,
      error: { message: "must be true or false, not double", start: 0, end: 12, code: "not_boolean" },
    });
    expect(checkExpression("merchant_id")).toMatchObject({ ok: false, error: { code: "not_boolean" } });
  });

  it(`refuses an expression longer than ${MAX_EXPRESSION_LENGTH} characters, and accepts one of that length`, () => {
    const atLimit = `amount > 1.0${" ".repeat(MAX_EXPRESSION_LENGTH - 12)}`;
    expect(atLimit).toHaveLength(MAX_EXPRESSION_LENGTH);
    expect(checkExpression(atLimit).ok).toBe(true);
    expect(checkExpression(`${atLimit} `)).toMatchObject({ ok: false, error: { code: "too_long", start: MAX_EXPRESSION_LENGTH } });
  });

  it("refuses regular expressions, whose cost has no bound, and says where", () => {
    const expr = 'amount > 10.0 && user_id.matches("(a+)+$")';
    const check = checkExpression(expr);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.error.code).toBe("forbidden_function");
      expect(expr.slice(check.error.start, check.error.end)).toContain("matches");
    }
    expect(checkExpression('matches(user_id, "x")').ok).toBe(false);
    expect(checkExpression('user_id.startsWith("test_")').ok).toBe(true);
  });

  it("validateRulesetContent names each bad rule with its 1-based character position", () => {
    const bad: RulesetContentInput = {
      rules: [
        { id: "FINE", name: "fine", expression: "amount > 1.0", score: 10 },
        { id: "TYPO", name: "typo", expression: "amount >", score: 10 },
        { id: "UNKNOWN", name: "unknown", expression: "velocity > 3.0", score: 10 },
      ],
    };
    const error = (() => {
      try {
        validateRulesetContent(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(VisibleError);
    expect(error).toMatchObject({
      code: "INVALID_RULE_EXPRESSION",
      fields: {
        "rules.1.expression": ["TYPO: Unexpected token: EOF (at character 9)"],
        "rules.2.expression": [expect.stringMatching(/^UNKNOWN: .*velocity.* \(at character 1\)$/)],
      },
    });
    const fine = { id: "FINE", name: "fine", expression: "amount > 1.0", score: 10 };
    expect(() => validateRulesetContent({ rules: [fine, fine] })).toThrow(expect.objectContaining({ code: "INVALID_RULESET" }));
  });
});

describe("the demo ruleset: each rule fires exactly at its boundary", () => {
  const TESTED = [
    "HIGH_AMOUNT_VS_HISTORY",
    "VERY_HIGH_AMOUNT",
    "NEW_ACCOUNT",
    "DEVICE_CHANGE",
    "HIGH_FREQUENCY",
    "HIGH_RISK_CUSTOMER",
    "RAPID_SUCCESSION",
    "LOCATION_CHANGE",
    "NEW_DEVICE_LARGE_AMOUNT",
  ];

  it("has a boundary test below for every rule", () => {
    expect(DEMO_RULESET.rules.map((r) => r.id).sort()).toEqual([...TESTED].sort());
  });

  it("a regular customer's usual payment fires nothing", () => {
    const d = decideWith(usual(), regular());
    expect([d.decision, d.score, d.rules, d.errored_rules]).toEqual(["APPROVED", 0, [], []]);
  });

  it("HIGH_AMOUNT_VS_HISTORY: more than 5 times the 30-day average (5 x 100: 500 no, 500.01 yes)", () => {
    expect(fired(usual({ amount: 500 }), regular())).toEqual([]);
    expect(fired(usual({ amount: 500.01 }), regular())).toEqual(["HIGH_AMOUNT_VS_HISTORY"]);
    // No history, no average to compare with.
    expect(fired(usual({ amount: 4000 }), customer())).not.toContain("HIGH_AMOUNT_VS_HISTORY");
  });

  it("VERY_HIGH_AMOUNT: above 5,000 (5000 no, 5000.01 yes)", () => {
    const wealthy = regular({ amount: 2000 });
    expect(fired(usual({ amount: 5000 }), wealthy)).toEqual([]);
    expect(fired(usual({ amount: 5000.01 }), wealthy)).toEqual(["VERY_HIGH_AMOUNT"]);
  });

  it("NEW_ACCOUNT: account less than 7 days old (7 days no, 6 days 23:59:59 yes)", () => {
    const p = customer({ account_created: at(-7 * DAY) });
    expect(fired(tx(), p)).toEqual([]);
    expect(fired(tx({ timestamp: at(-SECOND) }), p)).toEqual(["NEW_ACCOUNT"]);
  });

  it("NEW_ACCOUNT: a customer's very first transaction is on a new account", () => {
    expect(fired(tx({ user_id: "brand-new" }), undefined)).toEqual(["NEW_ACCOUNT"]);
  });

  it("DEVICE_CHANGE: a device other than the last one, known or not", () => {
    expect(fired(usual({ device_id: "device-1" }), regular())).toEqual([]);
    expect(fired(usual({ device_id: "device-2" }), regular())).toEqual(["DEVICE_CHANGE"]);
    expect(fired(usual({ device_id: "device-9" }), regular())).toEqual(["DEVICE_CHANGE"]);
    expect(fired(usual({ device_id: undefined }), regular())).toEqual([]);
  });

  it("NEW_DEVICE_LARGE_AMOUNT: a never-seen device for at least 3 times the average (299.99 no, 300 yes)", () => {
    expect(fired(usual({ device_id: "device-9", amount: 299.99 }), regular())).toEqual(["DEVICE_CHANGE"]);
    expect(fired(usual({ device_id: "device-9", amount: 300 }), regular())).toEqual(["DEVICE_CHANGE", "NEW_DEVICE_LARGE_AMOUNT"]);
    // A known device is not new, whatever the amount.
    expect(fired(usual({ device_id: "device-2", amount: 450 }), regular())).toEqual(["DEVICE_CHANGE"]);
    // Known devices but nothing in 30 days: any amount from a new device.
    const dormant = regular({ lastAgo: 40 * DAY });
    expect(fired(usual({ device_id: "device-9", amount: 1 }), dormant)).toEqual(["DEVICE_CHANGE", "NEW_DEVICE_LARGE_AMOUNT"]);
  });

  it("HIGH_FREQUENCY: more than 50 transactions in 30 days (50 no, 51 yes)", () => {
    expect(fired(usual(), regular({ count: 50 }))).toEqual([]);
    expect(fired(usual(), regular({ count: 51 }))).toEqual(["HIGH_FREQUENCY"]);
  });

  it("HIGH_RISK_CUSTOMER: risk level HIGH only", () => {
    expect(fired(usual(), regular({ risk: "HIGH" }))).toEqual(["HIGH_RISK_CUSTOMER"]);
    expect(fired(usual(), regular({ risk: "MEDIUM" }))).toEqual([]);
    expect(fired(usual(), regular({ risk: "NEW" }))).toEqual([]);
  });

  it("RAPID_SUCCESSION: less than 60 s since the previous transaction (60 s no, 59 s yes)", () => {
    expect(fired(usual(), regular({ lastAgo: 60 * SECOND }))).toEqual([]);
    expect(fired(usual(), regular({ lastAgo: 59 * SECOND }))).toEqual(["RAPID_SUCCESSION"]);
    // The first transaction has no previous one: no error, no fire.
    expect(fired(tx({ user_id: "brand-new" }), undefined)).not.toContain("RAPID_SUCCESSION");
  });

  it("LOCATION_CHANGE: more than 500 km from the last place (Malabo to Port-Gentil 497.6 km no; Montreal to Toronto 503.1 km yes)", () => {
    const malabo = decideWith(usual({ location: "Port-Gentil, GA" }), regular({ location: "Malabo, GQ" }));
    expect(malabo.features.distance_km).toBe(497.6);
    expect(malabo.rules).toEqual([]);
    const montreal = decideWith(usual({ location: "Toronto, CA" }), regular({ location: "Montreal, CA" }));
    expect(montreal.features.distance_km).toBe(503.1);
    expect(montreal.rules.map((r) => r.id)).toEqual(["LOCATION_CHANGE"]);
  });

  it("LOCATION_CHANGE: 500.0 km by coordinates does not fire, 500.1 km does", () => {
    const douala = lookupPlace("Douala, CM")!;
    const kmPerDegree = (6371.0088 * Math.PI) / 180;
    const north = (km: number) => usual({ location: undefined, latitude: douala.lat + km / kmPerDegree, longitude: douala.lon });
    const at500 = decideWith(north(500), regular());
    expect(at500.features.distance_km).toBe(500);
    expect(at500.rules).toEqual([]);
    const at5001 = decideWith(north(500.1), regular());
    expect(at5001.features.distance_km).toBe(500.1);
    expect(at5001.rules.map((r) => r.id)).toEqual(["LOCATION_CHANGE"]);
  });

  it("LOCATION_CHANGE: an unknown place neither fires nor errors", () => {
    expect(fired(usual({ location: "Atlantis" }), regular())).toEqual([]);
  });
});

describe("scoring", () => {
  const single = (score: number, thresholds?: { review: number; block: number }) =>
    compile({ rules: [{ id: "ANY_PAYMENT", name: "any payment", expression: "amount > 0.0", score }], ...(thresholds ? { thresholds } : {}) });

  it.each([
    [0, "APPROVED"],
    [49, "APPROVED"],
    [50, "REVIEW"],
    [79, "REVIEW"],
    [80, "BLOCKED"],
    [100, "BLOCKED"],
  ] as const)("a score of %i gives %s with the default thresholds (review 50, block 80)", (score, outcome) => {
    const d = decideWith(usual(), regular(), single(score));
    expect([d.score, d.decision]).toEqual([score, outcome]);
  });

  it("uses the ruleset's own thresholds", () => {
    expect(decideWith(usual(), regular(), single(30, { review: 30, block: 60 })).decision).toBe("REVIEW");
    expect(decideWith(usual(), regular(), single(60, { review: 30, block: 60 })).decision).toBe("BLOCKED");
    expect(outcomeFor(29, { review: 30, block: 60 })).toBe("APPROVED");
  });

  it("starts a deployment without a ruleset from no rules, review at 50, block at 80, REVIEW on failure, 50 ms", () => {
    expect(defaultRulesetContent()).toEqual({ rules: [], thresholds: { review: 50, block: 80 }, fallback_decision: "REVIEW", time_budget_ms: 50 });
    const edited = defaultRulesetContent();
    edited.thresholds.review = 10;
    expect(defaultRulesetContent().thresholds.review).toBe(50);
  });

  it("alerts on and opens a case for REVIEW and BLOCKED, never APPROVED", () => {
    expect([raisesAlert("APPROVED"), raisesAlert("REVIEW"), raisesAlert("BLOCKED")]).toEqual([false, true, true]);
  });

  it("adds the points of every fired rule and caps the score at 100", () => {
    // Account takeover: new device, far away, huge amount, seconds after the last payment.
    const d = decideWith(usual({ amount: 8000, device_id: "device-9", location: "Lagos, NG" }), regular({ lastAgo: 20 * SECOND }));
    expect(d.rules.map((r) => r.id)).toEqual([
      "HIGH_AMOUNT_VS_HISTORY",
      "VERY_HIGH_AMOUNT",
      "DEVICE_CHANGE",
      "RAPID_SUCCESSION",
      "LOCATION_CHANGE",
      "NEW_DEVICE_LARGE_AMOUNT",
    ]);
    expect(d.rules.reduce((s, r) => s + r.score, 0)).toBe(340);
    expect([d.score, d.decision]).toEqual([100, "BLOCKED"]);
  });

  it("ignores disabled rules", () => {
    const r = compile({ rules: [{ id: "OFF", name: "off", expression: "amount > 0.0", score: 90, enabled: false }] });
    expect(decideWith(usual(), regular(), r)).toMatchObject({ decision: "APPROVED", score: 0, rules: [] });
  });

  it("records a rule that fails at run time in errored_rules, and still decides with the others", () => {
    const r = compile({
      rules: [
        // Type-checks (distance_km is nullable, so dyn) but fails on null: no place known.
        { id: "FAR_AWAY", name: "far away", expression: "distance_km > 500.0", score: 70 },
        { id: "ANY_PAYMENT", name: "any payment", expression: "amount > 0.0", score: 10 },
      ],
    });
    const out = decide({ tx: tx(), profile: customer(), ruleset: r, lists: [], settings: SETTINGS, decidedAt: NOW.toISOString() });
    expect(out.decision.errored_rules).toEqual([{ id: "FAR_AWAY", error: expect.stringContaining("no such overload") }]);
    expect(out.decision.rules.map((x) => x.id)).toEqual(["ANY_PAYMENT"]);
    expect([out.decision.score, out.decision.decision, out.decision.fallback_reason]).toEqual([10, "APPROVED", null]);
    expect(out.nextProfile.version).toBe(1);
    // With places known the same rule works.
    const ok = decideWith(usual({ location: "Lagos, NG" }), regular(), r);
    expect([ok.errored_rules, ok.rules.map((x) => x.id)]).toEqual([[], ["FAR_AWAY", "ANY_PAYMENT"]]);
  });

  it("takes the fallback decision when the rules run past the time budget", () => {
    const r = compile({
      time_budget_ms: 50,
      fallback_decision: "REVIEW",
      rules: [
        { id: "FIRST", name: "first", expression: "amount > 0.0", score: 10 },
        { id: "SECOND", name: "second", expression: "amount > 0.0", score: 10 },
      ],
    });
    const features = computeFeatures(usual(), regular(), SETTINGS);
    let clock = 0;
    // Each reading of the clock is 60 ms later: the budget is spent after the first rule.
    const slow = evaluateRules(r, features, () => (clock += 60));
    expect(slow).toMatchObject({ decision: "REVIEW", score: 10, fallback_reason: expect.stringContaining("stopped after FIRST") });
    expect(slow.rules.map((x) => x.id)).toEqual(["FIRST"]);
    const fast = evaluateRules(r, features, () => 0);
    expect(fast).toMatchObject({ decision: "APPROVED", score: 20, fallback_reason: null });
  });

  it("without a published ruleset, sends every transaction to REVIEW and says why", () => {
    const { decision: d } = decide({ tx: usual(), profile: regular(), ruleset: undefined, lists: [], settings: SETTINGS, decidedAt: NOW.toISOString() });
    expect(d).toMatchObject({ decision: "REVIEW", score: 0, ruleset_version: 0, fallback_reason: "no published ruleset" });
  });
});

describe("allow and block lists", () => {
  const entry = (e: Partial<ListEntry> & Pick<ListEntry, "id" | "kind" | "field" | "value">): ListEntry => ({
    reason: `${e.kind} ${e.value}`,
    expires_at: null,
    created_at: at(-DAY),
    created_by: "analyst-1",
    ...e,
  });
  // Rules alone would block this one (score 100) ...
  const takeover = () => usual({ amount: 8000, device_id: "device-9", ip_address: "203.0.113.7" });
  // ... and approve this one (score 0).
  const ordinary = () => usual({ ip_address: "203.0.113.7" });

  it("a block entry blocks a transaction the rules would approve, with score 100, and says which entry", () => {
    const d = decideWith(ordinary(), regular(), demoRuleset(), [entry({ id: 7, kind: "block", field: "ip_address", value: "203.0.113.7", reason: "botnet" })]);
    expect([d.decision, d.score]).toEqual(["BLOCKED", 100]);
    expect(d.list_match).toEqual({ kind: "block", field: "ip_address", value: "203.0.113.7", reason: "botnet", entry_id: 7 });
    expect(d.rules).toEqual([]);
  });

  it("an allow entry approves a transaction the rules would block; the rules that fired are still shown", () => {
    const d = decideWith(takeover(), regular(), demoRuleset(), [entry({ id: 3, kind: "allow", field: "user_id", value: "user-1", reason: "VIP" })]);
    expect(d.decision).toBe("APPROVED");
    expect(d.list_match).toMatchObject({ kind: "allow", field: "user_id", entry_id: 3 });
    expect(d.rules.length).toBeGreaterThan(0);
    expect(d.score).toBe(100);
  });

  it("block wins over allow, in whatever order the entries come", () => {
    const allow = entry({ id: 1, kind: "allow", field: "user_id", value: "user-1" });
    const block = entry({ id: 2, kind: "block", field: "device_id", value: "device-9" });
    for (const lists of [
      [allow, block],
      [block, allow],
    ]) {
      const d = decideWith(takeover(), regular(), demoRuleset(), lists);
      expect([d.decision, d.list_match?.kind, d.list_match?.entry_id]).toEqual(["BLOCKED", "block", 2]);
    }
  });

  it("ignores entries that expired before the transaction; applies those that expire after", () => {
    const expiredBlock = entry({ id: 4, kind: "block", field: "merchant_id", value: "merchant-1", expires_at: at(-SECOND) });
    const expiringNow = entry({ id: 5, kind: "block", field: "merchant_id", value: "merchant-1", expires_at: at(0) });
    const expiredAllow = entry({ id: 6, kind: "allow", field: "user_id", value: "user-1", expires_at: at(-HOUR) });
    const d = decideWith(ordinary(), regular(), demoRuleset(), [expiredBlock, expiringNow]);
    expect([d.decision, d.list_match]).toEqual(["APPROVED", null]);
    const blocked = decideWith(takeover(), regular(), demoRuleset(), [expiredAllow]);
    expect([blocked.decision, blocked.list_match]).toEqual(["BLOCKED", null]);
    const live = entry({ id: 8, kind: "block", field: "merchant_id", value: "merchant-1", expires_at: at(SECOND) });
    expect(decideWith(ordinary(), regular(), demoRuleset(), [live]).list_match?.entry_id).toBe(8);
  });

  it("matches the entry's field only", () => {
    const d = decideWith(ordinary(), regular(), demoRuleset(), [entry({ id: 9, kind: "block", field: "device_id", value: "user-1" })]);
    expect([d.decision, d.list_match]).toEqual(["APPROVED", null]);
  });
});

describe("explanations", () => {
  it("each fired rule carries its expression and the values of the features it read", () => {
    const d = decideWith(usual({ device_id: "device-9", amount: 300 }), regular({ lastAgo: 30 * SECOND }));
    const byId = Object.fromEntries(d.rules.map((r) => [r.id, r]));
    expect(byId.NEW_DEVICE_LARGE_AMOUNT).toEqual({
      id: "NEW_DEVICE_LARGE_AMOUNT",
      name: "Large amount from a never-seen device",
      score: 30,
      expression: "device_is_new && amount >= 3.0 * avg_amount_30d",
      values: { device_is_new: true, amount: 300, avg_amount_30d: 100 },
    });
    expect(byId.RAPID_SUCCESSION).toMatchObject({
      expression: "seconds_since_last_tx != null && seconds_since_last_tx < 60.0",
      values: { seconds_since_last_tx: 30 },
    });
    expect(byId.DEVICE_CHANGE?.values).toEqual({ device_changed: true });
    expect(d.features).toMatchObject({ amount: 300, device_is_new: true, seconds_since_last_tx: 30, avg_amount_30d: 100 });
  });

  it("the profile as it was before the transaction is kept with the decision", () => {
    const d = decideWith(usual(), regular({ lastAgo: HOUR }));
    expect(d.profile_before).toEqual({
      risk_level: "LOW",
      avg_transaction_30d: 100,
      transaction_count_30d: 10,
      last_device_id: "device-1",
      last_location: "Douala, CM",
      last_transaction_at: at(-HOUR),
      account_created: at(-365 * DAY),
      is_new_customer: false,
    });
  });
});
