import { describe, expect, it } from "vitest";
import { computeFeatures } from "../../src/features/features.ts";
import { HABIT_HALVING, MAX_CATEGORIES } from "../../src/profile/habits.ts";
import { applyTransaction, Profile } from "../../src/profile/profile.ts";
import { at, customer, DAY, HOUR, MINUTE, NOW, tx, withHistory } from "../support.ts";

const SETTINGS = { timeZone: "UTC" };
const features = (t: ReturnType<typeof tx>, p: Profile) => computeFeatures(t, p, SETTINGS);

describe("features from the customer's own habits", () => {
  it("counts the attempts of the last 24 hours that were not approved, and only those", () => {
    let p = customer();
    p = applyTransaction(p, tx({ amount: 10, timestamp: at(-25 * HOUR) }), NOW.toISOString(), false);
    p = applyTransaction(p, tx({ amount: 10, timestamp: at(-3 * HOUR) }), NOW.toISOString(), false);
    p = applyTransaction(p, tx({ amount: 10, timestamp: at(-2 * HOUR) }), NOW.toISOString(), true);
    p = applyTransaction(p, tx({ amount: 10, timestamp: at(-HOUR) }), NOW.toISOString(), false);
    expect(features(tx(), p).tx_flagged_24h).toBe(2);
    // A day later they have aged out.
    expect(features(tx({ timestamp: at(DAY) }), p).tx_flagged_24h).toBe(0);
  });

  it("knows the customer's usual hours once there are 10 approved payments, from approved ones only", () => {
    const days = (n: number, hour: number) =>
      Array.from({ length: n }, (_, i) => ({ amount: 20, timestamp: new Date(Date.UTC(2025, 5, 1 + i, hour, 30)).toISOString() }));
    const nine = withHistory(customer(), days(9, 13));
    expect(features(tx(), nine).hour_share).toBeNull();
    const p = withHistory(customer(), [...days(9, 13), ...days(1, 3)]);
    const noon = features(tx({ timestamp: "2025-06-15T12:00:00Z" }), p);
    const night = features(tx({ timestamp: "2025-06-15T23:10:00Z" }), p);
    expect([noon.hour_share, night.hour_share]).toEqual([0.9, 0]);
    // A held attempt at 23:00 teaches nothing.
    const held = applyTransaction(p, tx({ timestamp: "2025-06-15T23:00:00Z" }), NOW.toISOString(), false);
    expect(features(tx({ timestamp: "2025-06-15T23:10:00Z" }), held).hour_share).toBe(0);
  });

  it("compares the amount with the customer's average at the same kind of merchant, from 3 payments there", () => {
    const grocery = (amount: number) => ({ amount, merchant_category: "grocery_pos", timestamp: at(-DAY) });
    const two = withHistory(customer(), [grocery(90), grocery(110)]);
    expect(features(tx({ amount: 300, merchant_category: "grocery_pos" }), two)).toMatchObject({ category_tx_count: 2, amount_to_category_avg: null });
    const p = withHistory(customer(), [grocery(90), grocery(110), grocery(100), { amount: 900, merchant_category: "travel", timestamp: at(-DAY) }]);
    expect(features(tx({ amount: 300, merchant_category: "grocery_pos" }), p)).toMatchObject({ category_tx_count: 3, amount_to_category_avg: 3 });
    expect(features(tx({ amount: 300, merchant_category: "shopping_net" }), p)).toMatchObject({ category_tx_count: 0, amount_to_category_avg: null });
    expect(features(tx({ amount: 300 }), p).amount_to_category_avg).toBeNull();
  });

  it("times the cash-out that follows a transfer to a new counterparty, even a held one", () => {
    const sent = applyTransaction(customer(), tx({ type: "TRANSFER", counterparty_id: "mule-1", timestamp: at(-10 * MINUTE) }), NOW.toISOString(), false);
    expect(features(tx({ type: "CASH_OUT", counterparty_id: "agent-1" }), sent).seconds_since_new_counterparty_transfer).toBe(600);
    // A transfer to someone the customer already paid does not count.
    const known = withHistory(customer(), [{ counterparty_id: "friend", timestamp: at(-DAY) }]);
    const again = applyTransaction(known, tx({ type: "TRANSFER", counterparty_id: "friend", timestamp: at(-MINUTE) }), NOW.toISOString());
    expect(features(tx({ type: "CASH_OUT", counterparty_id: "agent-1" }), again).seconds_since_new_counterparty_transfer).toBeNull();
  });

  it("stays small: halves old counts and keeps the most used categories", () => {
    let p = customer();
    for (let i = 0; i < HABIT_HALVING + 5; i++)
      p = applyTransaction(p, tx({ amount: 10, merchant_category: `cat-${i % (MAX_CATEGORIES + 5)}`, timestamp: at(-i * MINUTE) }), NOW.toISOString());
    expect(p.hour_counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(HABIT_HALVING);
    expect(p.categories.length).toBe(MAX_CATEGORIES);
  });

  it("parses a profile stored before the habits existed", () => {
    const stored = { ...customer(), version: 3 } as Record<string, unknown>;
    for (const key of ["hour_counts", "categories", "flagged_at", "new_counterparty_transfer_at"]) delete stored[key];
    const p = Profile.parse(JSON.parse(JSON.stringify(stored)));
    expect(p).toMatchObject({ hour_counts: [], categories: [], flagged_at: [], new_counterparty_transfer_at: null });
    expect(features(tx(), p)).toMatchObject({ tx_flagged_24h: 0, hour_share: null, category_tx_count: 0 });
  });
});
