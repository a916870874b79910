import { describe, expect, it } from "vitest";
import { decide } from "../src/decision/decision.ts";
import type { ListEntry } from "../src/list/lists.ts";
import { applyTransaction, MAX_KNOWN_COUNTERPARTIES, MAX_KNOWN_DEVICES, MAX_RECENT, newProfile, Profile, summary30d } from "../src/profile/profile.ts";
import { at, customer, DAY, demoRuleset, HOUR, MINUTE, NOW, SECOND, tx, withHistory } from "./support.ts";

const SETTINGS = { timeZone: "Africa/Douala" };

describe("a customer seen for the first time", () => {
  it("gets a NEW profile with no history, opened at the given time", () => {
    const p = newProfile("user-7", at(-HOUR));
    expect(p).toMatchObject({
      user_id: "user-7",
      risk_level: "NEW",
      account_created: at(-HOUR),
      last_device_id: null,
      last_location: null,
      last_transaction_at: null,
      known_devices: [],
      known_counterparties: [],
      daily: [],
      recent: [],
      version: 0,
    });
    expect(Profile.parse(p)).toEqual(p);
  });

  it("decide() opens the profile at the first transaction's time and records that transaction in it", () => {
    const t = tx({ user_id: "user-7", amount: 300, device_id: "device-1", location: "Douala, CM", timestamp: at(-HOUR) });
    const { decision, nextProfile } = decide({
      tx: t,
      profile: undefined,
      ruleset: demoRuleset(),
      lists: [],
      settings: SETTINGS,
      decidedAt: NOW.toISOString(),
    });
    expect(decision.decision).toBe("APPROVED");
    expect(decision.profile_before).toMatchObject({ is_new_customer: true, risk_level: "NEW", transaction_count_30d: 0 });
    expect(nextProfile).toMatchObject({
      user_id: "user-7",
      risk_level: "NEW",
      account_created: t.timestamp,
      last_device_id: "device-1",
      last_location: "Douala, CM",
      last_transaction_at: t.timestamp,
      known_devices: ["device-1"],
      updated_at: NOW.toISOString(),
      version: 1,
    });
    expect(summary30d(nextProfile, NOW.getTime())).toEqual({ transaction_count_30d: 1, avg_transaction_30d: 300 });
  });
});

describe("30-day figures", () => {
  it("books approved transactions per UTC day and averages them", () => {
    const p = withHistory(customer(), [
      { amount: 100, timestamp: "2025-06-13T08:00:00Z" },
      { amount: 50.5, timestamp: "2025-06-13T23:59:59Z" },
      { amount: 200, timestamp: "2025-06-14T00:00:00Z" },
    ]);
    expect(p.daily).toEqual([
      { day: "2025-06-13", count: 2, sum: 150.5 },
      { day: "2025-06-14", count: 1, sum: 200 },
    ]);
    expect(summary30d(p, NOW.getTime())).toEqual({ transaction_count_30d: 3, avg_transaction_30d: 116.83 });
  });

  it("forgets days that fall out of the 30-day window as newer activity arrives", () => {
    const p = withHistory(customer(), [
      { amount: 1000, timestamp: at(-45 * DAY) },
      { amount: 10, timestamp: at(-40 * DAY) },
      { amount: 30, timestamp: at(-DAY) },
    ]);
    expect(p.daily.map((d) => d.day)).toEqual([at(-DAY).slice(0, 10)]);
    expect(summary30d(p, NOW.getTime())).toEqual({ transaction_count_30d: 1, avg_transaction_30d: 30 });
  });

  it("keeps the last 24 hours of attempts only, relative to the newest", () => {
    const p = withHistory(customer(), [
      { amount: 1, timestamp: at(-25 * HOUR) },
      { amount: 2, timestamp: at(-23 * HOUR) },
      { amount: 3, timestamp: at(-MINUTE) },
    ]);
    expect(p.recent).toEqual([
      { at: Date.parse(at(-23 * HOUR)), amount: 2 },
      { at: Date.parse(at(-MINUTE)), amount: 3 },
    ]);
  });
});

describe("only APPROVED transactions teach the profile; every attempt counts for velocity", () => {
  const base = withHistory(customer(), [{ amount: 100, device_id: "device-1", location: "Douala, CM", counterparty_id: "user-2", timestamp: at(-HOUR) }]);
  const attempt = tx({
    amount: 9000,
    device_id: "device-X",
    location: "Lagos, NG",
    latitude: 6.45,
    longitude: 3.39,
    counterparty_id: "mule-1",
    timestamp: at(-MINUTE),
  });

  it("a declined attempt changes velocity and last-seen time only", () => {
    const after = applyTransaction(base, attempt, NOW.toISOString(), false);
    expect(after.recent.map((r) => r.amount)).toEqual([100, 9000]);
    expect(after.last_transaction_at).toBe(attempt.timestamp);
    expect(after.version).toBe(base.version + 1);
    expect(after.updated_at).toBe(NOW.toISOString());
    expect({
      daily: after.daily,
      last_device_id: after.last_device_id,
      last_location: after.last_location,
      last_latitude: after.last_latitude,
      last_longitude: after.last_longitude,
      known_devices: after.known_devices,
      known_counterparties: after.known_counterparties,
    }).toEqual({
      daily: base.daily,
      last_device_id: "device-1",
      last_location: "Douala, CM",
      last_latitude: null,
      last_longitude: null,
      known_devices: ["device-1"],
      known_counterparties: ["user-2"],
    });
  });

  it("an approved transaction teaches device, place, point, counterparty and the 30-day figures", () => {
    const after = applyTransaction(base, attempt, NOW.toISOString(), true);
    expect(after).toMatchObject({
      last_device_id: "device-X",
      last_location: "Lagos, NG",
      last_latitude: 6.45,
      last_longitude: 3.39,
      known_devices: ["device-1", "device-X"],
      known_counterparties: ["user-2", "mule-1"],
    });
    expect(summary30d(after, NOW.getTime())).toEqual({ transaction_count_30d: 2, avg_transaction_30d: 4550 });
  });

  it("through decide(): a blocked fraudster's device never becomes known, an allow-listed one does", () => {
    const block: ListEntry = {
      id: 1,
      kind: "block",
      field: "device_id",
      value: "device-X",
      reason: "stolen phone",
      expires_at: null,
      created_at: at(-DAY),
      created_by: "analyst",
    };
    const blocked = decide({ tx: attempt, profile: base, ruleset: demoRuleset(), lists: [block], settings: SETTINGS, decidedAt: NOW.toISOString() });
    expect(blocked.decision.decision).toBe("BLOCKED");
    expect(blocked.nextProfile.known_devices).toEqual(["device-1"]);
    expect(blocked.nextProfile.last_device_id).toBe("device-1");
    expect(blocked.nextProfile.recent).toHaveLength(2);

    const allow: ListEntry = { ...block, kind: "allow", reason: "customer's new phone, verified" };
    const allowed = decide({ tx: attempt, profile: base, ruleset: demoRuleset(), lists: [allow], settings: SETTINGS, decidedAt: NOW.toISOString() });
    expect(allowed.decision.decision).toBe("APPROVED");
    expect(allowed.nextProfile.known_devices).toEqual(["device-1", "device-X"]);
  });

  it("through decide(): a transaction sent to REVIEW does not teach the profile either", () => {
    // A never-seen device for 3 times the usual amount: DEVICE_CHANGE 40 + NEW_DEVICE_LARGE_AMOUNT 30.
    const unusual = tx({ amount: 300, device_id: "device-Y", location: "Douala, CM", timestamp: at(-MINUTE) });
    const review = decide({ tx: unusual, profile: base, ruleset: demoRuleset(), lists: [], settings: SETTINGS, decidedAt: NOW.toISOString() });
    expect([review.decision.decision, review.decision.score]).toEqual(["REVIEW", 70]);
    expect(review.nextProfile.known_devices).toEqual(["device-1"]);
    expect(summary30d(review.nextProfile, NOW.getTime()).transaction_count_30d).toBe(1);
  });
});

describe("transactions arriving out of order", () => {
  const latest = withHistory(customer(), [{ amount: 100, device_id: "device-B", location: "Yaoundé, CM", timestamp: at(-MINUTE) }]);

  it("an older transaction is counted but does not replace the last device, place or time", () => {
    const older = tx({ amount: 50, device_id: "device-A", location: "Douala, CM", timestamp: at(-2 * HOUR) });
    const after = applyTransaction(latest, older, NOW.toISOString());
    expect(after.last_transaction_at).toBe(at(-MINUTE));
    expect(after.last_device_id).toBe("device-B");
    expect(after.last_location).toBe("Yaoundé, CM");
    expect(after.known_devices).toEqual(["device-B", "device-A"]);
    expect(after.recent).toEqual([
      { at: Date.parse(at(-2 * HOUR)), amount: 50 },
      { at: Date.parse(at(-MINUTE)), amount: 100 },
    ]);
    expect(summary30d(after, NOW.getTime()).transaction_count_30d).toBe(2);
  });

  it("a transaction older than the windows changes neither the 30-day figures nor velocity", () => {
    const ancient = tx({ amount: 70, timestamp: at(-31 * DAY) });
    const after = applyTransaction(latest, ancient, NOW.toISOString());
    expect(after.daily).toEqual(latest.daily);
    expect(after.recent).toEqual(latest.recent);
    expect(after.last_transaction_at).toBe(at(-MINUTE));
    expect(after.version).toBe(latest.version + 1);
  });
});

describe("bounds that keep one profile small", () => {
  it(`keeps the newest ${MAX_RECENT} attempts of the last 24 hours`, () => {
    const start = NOW.getTime() - 12 * HOUR;
    const full = customer({
      last_transaction_at: new Date(start + MAX_RECENT * SECOND).toISOString(),
      recent: Array.from({ length: MAX_RECENT }, (_, i) => ({ at: start + (i + 1) * SECOND, amount: 1 })),
    });
    const after = applyTransaction(full, tx({ amount: 2, timestamp: at(0) }), NOW.toISOString(), false);
    expect(after.recent).toHaveLength(MAX_RECENT);
    expect(after.recent[0]!.at).toBe(start + 2 * SECOND);
    expect(after.recent.at(-1)).toEqual({ at: NOW.getTime(), amount: 2 });
  });

  it(`remembers the ${MAX_KNOWN_DEVICES} most recently used devices`, () => {
    const devices = Array.from({ length: MAX_KNOWN_DEVICES }, (_, i) => `device-${i}`);
    const p = customer({ known_devices: devices, last_device_id: devices.at(-1)! });
    const reused = applyTransaction(p, tx({ device_id: "device-0" }), NOW.toISOString());
    expect(reused.known_devices).toEqual([...devices.slice(1), "device-0"]);
    const added = applyTransaction(reused, tx({ device_id: "device-new" }), NOW.toISOString());
    expect(added.known_devices).toHaveLength(MAX_KNOWN_DEVICES);
    expect(added.known_devices).not.toContain("device-1");
    expect(added.known_devices.slice(-2)).toEqual(["device-0", "device-new"]);
  });

  it(`remembers the ${MAX_KNOWN_COUNTERPARTIES} most recent counterparties`, () => {
    const cps = Array.from({ length: MAX_KNOWN_COUNTERPARTIES }, (_, i) => `user-${i}`);
    const after = applyTransaction(customer({ known_counterparties: cps }), tx({ counterparty_id: "user-new" }), NOW.toISOString());
    expect(after.known_counterparties).toHaveLength(MAX_KNOWN_COUNTERPARTIES);
    expect(after.known_counterparties[0]).toBe("user-1");
    expect(after.known_counterparties.at(-1)).toBe("user-new");
  });

  it("a profile after many transactions is still a valid stored profile", () => {
    let p = customer();
    for (let i = 0; i < 200; i++) {
      p = applyTransaction(
        p,
        tx({ amount: 10 + i, device_id: `device-${i % 30}`, counterparty_id: `user-${i}`, timestamp: at(-i * 3 * HOUR) }),
        NOW.toISOString(),
        i % 3 !== 0,
      );
    }
    expect(Profile.parse(JSON.parse(JSON.stringify(p)))).toEqual(p);
    expect(p.known_devices.length).toBeLessThanOrEqual(MAX_KNOWN_DEVICES);
    expect(p.daily.length).toBeLessThanOrEqual(30);
    expect(p.version).toBe(200);
  });
});
