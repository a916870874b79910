import { describe, expect, it } from "vitest";
import { computeFeatures, FEATURE_NAMES, FEATURES, hourIn, type Features } from "../src/features/features.ts";
import { haversineKm, lookupPlace } from "../src/features/geo.ts";
import { applyTransaction, newProfile, profileFromSummary, type Profile } from "../src/profile/profile.ts";
import type { Transaction } from "../src/transaction/transaction.ts";
import { at, customer, DAY, HOUR, NOW, SECOND, tx, withHistory } from "./support.ts";

const DOUALA = { timeZone: "Africa/Douala" };

function features(t: Transaction, profile: Profile, settings = DOUALA): Features {
  const f = computeFeatures(t, profile, settings);
  // Every computed value has the shape the catalogue promises the rule type-checker.
  expect(Object.keys(f).sort()).toEqual([...FEATURE_NAMES].sort());
  for (const name of FEATURE_NAMES) {
    const spec = FEATURES[name];
    const value = f[name];
    if (value === null) expect("nullable" in spec, `${name} is null but not nullable`).toBe(true);
    else expect(typeof value, name).toBe(spec.type === "double" ? "number" : spec.type === "bool" ? "boolean" : "string");
  }
  return f;
}

function place(location: string) {
  const p = lookupPlace(location);
  if (!p) throw new Error(`${location} is not in the gazetteer`);
  return p;
}

describe("features of a customer's first transaction", () => {
  it("has no history: nulls where the catalogue says so, zeros for counts, and the transaction's own fields", () => {
    const t = tx({ user_id: "user-9", amount: 2500, device_id: "device-1", location: "Douala, CM", counterparty_id: "user-2", type: "TRANSFER" });
    expect(features(t, newProfile("user-9", t.timestamp))).toEqual({
      amount: 2500,
      currency: "XAF",
      avg_amount_30d: 0,
      tx_count_30d: 0,
      amount_to_avg_ratio: null,
      seconds_since_last_tx: null,
      is_first_transaction: true,
      device_changed: false,
      device_is_new: false,
      distance_km: null,
      location_known: true,
      account_age_days: 0,
      tx_count_1h: 0,
      tx_sum_1h: 0,
      tx_count_24h: 0,
      tx_sum_24h: 0,
      hour_of_day: 13,
      risk_level: "NEW",
      tx_type: "TRANSFER",
      balance_before: null,
      balance_after: null,
      balance_share: null,
      counterparty_is_new: true,
      user_id: "user-9",
      device_id: "device-1",
      merchant_id: "merchant-1",
      merchant_category: "",
      location: "Douala, CM",
      counterparty_id: "user-2",
      tx_flagged_24h: 0,
      hour_share: null,
      category_tx_count: 0,
      amount_to_category_avg: null,
      seconds_since_new_counterparty_transfer: null,
    } satisfies Features);
  });

  it("gives optional text fields as empty strings", () => {
    const f = features(tx({ type: undefined }), customer());
    expect([f.tx_type, f.device_id, f.merchant_category, f.location, f.counterparty_id]).toEqual(["", "", "", "", ""]);
  });

  it("is not a first transaction for a customer imported with 30-day figures but no last transaction time", () => {
    const p = profileFromSummary({
      user_id: "user-1",
      email: null,
      account_created: "2023-01-15T00:00:00.000Z",
      avg_transaction_30d: 125.5,
      transaction_count_30d: 15,
      last_device_id: "device-1",
      last_location: "Douala, CM",
      risk_level: "LOW",
      as_of: NOW.toISOString(),
    });
    const f = features(tx({ amount: 251 }), p);
    expect(f.is_first_transaction).toBe(false);
    expect(f.seconds_since_last_tx).toBeNull();
    expect([f.tx_count_30d, f.avg_amount_30d, f.amount_to_avg_ratio]).toEqual([15, 125.5, 2]);
  });
});

describe("30-day figures", () => {
  it("average, count, ratio and time since the last transaction come from the customer's history", () => {
    const p = withHistory(customer(), [
      { amount: 100, timestamp: at(-3 * DAY) },
      { amount: 200, timestamp: at(-2 * DAY) },
      { amount: 600, timestamp: at(-DAY) },
    ]);
    const f = features(tx({ amount: 900 }), p);
    expect(f.tx_count_30d).toBe(3);
    expect(f.avg_amount_30d).toBe(300);
    expect(f.amount_to_avg_ratio).toBe(3);
    expect(f.seconds_since_last_tx).toBe(86_400);
    expect(f.is_first_transaction).toBe(false);
  });

  it("rounds the displayed average to cents but keeps the ratio exact", () => {
    const p = withHistory(customer(), [
      { amount: 10, timestamp: at(-DAY) },
      { amount: 10, timestamp: at(-DAY) },
      { amount: 10.01, timestamp: at(-DAY) },
    ]);
    const f = features(tx({ amount: 20.02 }), p);
    expect(f.avg_amount_30d).toBe(10);
    expect(f.amount_to_avg_ratio).toBeCloseTo(20.02 / (30.01 / 3), 12); // not 20.02 / 10
    expect(f.amount_to_avg_ratio).not.toBeCloseTo(2.002, 4);
  });

  it("stops counting activity 30 UTC days back and older; 29 days back still counts", () => {
    const p29 = withHistory(customer(), [{ amount: 100, timestamp: at(-29 * DAY) }]);
    const p30 = withHistory(customer(), [{ amount: 100, timestamp: at(-30 * DAY) }]);
    const p31 = withHistory(customer(), [{ amount: 100, timestamp: at(-31 * DAY) }]);
    expect(features(tx(), p29).tx_count_30d).toBe(1);
    expect(features(tx(), p30).tx_count_30d).toBe(0);
    const f31 = features(tx(), p31);
    expect([f31.tx_count_30d, f31.avg_amount_30d, f31.amount_to_avg_ratio]).toEqual([0, 0, null]);
    // The customer is not new for all that: the last transaction is remembered.
    expect(f31.is_first_transaction).toBe(false);
    expect(f31.seconds_since_last_tx).toBe(31 * 86_400);
  });

  it("counts whole UTC days: midnight of the 30th day back is in, one second before is out", () => {
    // NOW is 2025-06-15T12:00Z; the window is 2025-05-17 to 2025-06-15.
    expect(features(tx(), withHistory(customer(), [{ timestamp: "2025-05-17T00:00:00Z" }])).tx_count_30d).toBe(1);
    expect(features(tx(), withHistory(customer(), [{ timestamp: "2025-05-16T23:59:59Z" }])).tx_count_30d).toBe(0);
  });

  it("as time passes, the same history drops out of the window", () => {
    const p = withHistory(customer(), [{ amount: 250, timestamp: at(-40 * DAY) }]);
    expect(features(tx({ amount: 500, timestamp: at(-39 * DAY) }), p).amount_to_avg_ratio).toBe(2);
    expect(features(tx({ amount: 500, timestamp: at(-11 * DAY) }), p).tx_count_30d).toBe(1);
    expect(features(tx({ amount: 500, timestamp: at(-9 * DAY) }), p).tx_count_30d).toBe(0);
  });
});

describe("velocity: the hour and the 24 hours before the transaction", () => {
  // Applied in time order; amounts are powers of two so every sum tells which ones counted.
  const p = withHistory(customer(), [
    { amount: 160, timestamp: at(-24 * HOUR) },
    { amount: 80, timestamp: at(-24 * HOUR + SECOND) },
    { amount: 40, timestamp: at(-HOUR) },
    { amount: 10, timestamp: at(-HOUR + SECOND) },
    { amount: 20, timestamp: at(-30 * 60 * SECOND) },
  ]);

  it("counts an attempt 59 min 59 s old in the last hour, one exactly an hour old only in the 24 hours", () => {
    const f = features(tx(), p);
    expect([f.tx_count_1h, f.tx_sum_1h]).toEqual([2, 30]);
    expect([f.tx_count_24h, f.tx_sum_24h]).toEqual([4, 150]);
  });

  it("a moment later the older attempts have left each window", () => {
    const f = features(tx({ timestamp: at(10 * 60 * SECOND) }), p);
    expect([f.tx_count_1h, f.tx_sum_1h]).toEqual([1, 20]);
    expect([f.tx_count_24h, f.tx_sum_24h]).toEqual([3, 70]);
  });

  it("does not count activity later than the transaction (a late-arriving, older transaction)", () => {
    const f = features(tx({ timestamp: at(-45 * 60 * SECOND) }), p);
    expect([f.tx_count_1h, f.tx_sum_1h]).toEqual([2, 50]);
    expect(f.seconds_since_last_tx).toBe(15 * 60);
  });
});

describe("distance and place", () => {
  it("measures the distance between two known places in km, to 0.1 km", () => {
    const p = withHistory(customer(), [{ location: "Douala, CM", timestamp: at(-HOUR) }]);
    const f = features(tx({ location: "Yaoundé, CM" }), p);
    const expected = Math.round(haversineKm(place("Douala, CM"), place("Yaoundé, CM")) * 10) / 10;
    expect(f.distance_km).toBe(expected);
    expect(f.distance_km).toBeGreaterThan(180);
    expect(f.distance_km).toBeLessThan(220);
    expect(features(tx({ location: "douala,cm" }), p).distance_km).toBe(0);
  });

  it("gives null, not a guess, when either place is unknown", () => {
    const inDouala = withHistory(customer(), [{ location: "Douala, CM", timestamp: at(-HOUR) }]);
    const unknownBefore = withHistory(customer(), [{ location: "Atlantis", timestamp: at(-HOUR) }]);
    const unknownHere = features(tx({ location: "Atlantis" }), inDouala);
    expect([unknownHere.distance_km, unknownHere.location_known]).toEqual([null, false]);
    const unknownThere = features(tx({ location: "Douala, CM" }), unknownBefore);
    expect([unknownThere.distance_km, unknownThere.location_known]).toEqual([null, true]);
    const noPlace = features(tx(), inDouala);
    expect([noPlace.distance_km, noPlace.location_known]).toEqual([null, false]);
  });

  it("uses coordinates directly when the transaction and the profile have them, before any place name", () => {
    const paris = place("Paris, FR");
    const p = withHistory(customer(), [{ latitude: 4.05, longitude: 9.7, timestamp: at(-HOUR) }]);
    const f = features(tx({ location: "Paris, FR", latitude: 4.06, longitude: 9.7 }), p);
    expect(f.distance_km).toBe(Math.round(haversineKm({ lat: 4.05, lon: 9.7 }, { lat: 4.06, lon: 9.7 }) * 10) / 10);
    expect(f.distance_km).toBeCloseTo(1.1, 5);
    const noName = features(tx({ latitude: paris.lat, longitude: paris.lon }), p);
    expect(noName.location_known).toBe(true);
    expect(noName.distance_km).toBeGreaterThan(4000);
  });

  it("keeps the last known place when an approved transaction carries none", () => {
    // Douala by name, then Paris by coordinates, then a transaction with no place at all: the
    // customer was last seen in Paris, so paying in Paris again is no journey.
    const paris = place("Paris, FR");
    const p = withHistory(customer(), [
      { location: "Douala, CM", timestamp: at(-3 * HOUR) },
      { latitude: paris.lat, longitude: paris.lon, timestamp: at(-2 * HOUR) },
      { timestamp: at(-HOUR) },
    ]);
    expect(features(tx({ latitude: paris.lat, longitude: paris.lon }), p).distance_km).toBe(0);
    expect(features(tx({ location: "Paris, FR" }), p).distance_km).toBe(0);
  });
});

describe("hour of day", () => {
  it("is read in the deployment's time zone: Douala is UTC+1 all year", () => {
    expect(features(tx({ timestamp: at(10.5 * HOUR) }), customer()).hour_of_day).toBe(23); // 22:30Z
    expect(features(tx({ timestamp: at(11.5 * HOUR) }), customer()).hour_of_day).toBe(0); // 23:30Z
    expect(features(tx({ timestamp: "2025-01-15T05:00:00Z" }), customer()).hour_of_day).toBe(6);
  });

  it("differs in another time zone, with its daylight saving", () => {
    const ny = { timeZone: "America/New_York" };
    expect(features(tx({ timestamp: at(10.5 * HOUR) }), customer(), ny).hour_of_day).toBe(18); // EDT, UTC-4
    expect(features(tx({ timestamp: "2025-01-15T05:00:00Z" }), customer(), ny).hour_of_day).toBe(0); // EST, UTC-5
    expect(features(tx({ timestamp: at(10.5 * HOUR) }), customer(), { timeZone: "UTC" }).hour_of_day).toBe(22);
  });

  it("is the zone's own hour at every minute, across daylight saving changes, quarter-hour zones and old dates", () => {
    // hourIn keeps the last quarter hour's answer; check it against a fresh formatter, minute by minute.
    const direct = (timeZone: string, ms: number) => Number(new Intl.DateTimeFormat("en-GB", { timeZone, hour: "numeric", hourCycle: "h23" }).format(ms)) % 24;
    const spans = [
      ["America/New_York", "2025-03-09T05:00:00Z"], // 02:00 EST becomes 03:00 EDT
      ["Europe/Paris", "2025-10-26T00:00:00Z"], // 03:00 CEST becomes 02:00 CET
      ["Asia/Kathmandu", "2025-06-01T00:00:00Z"], // UTC+5:45
      ["Australia/Lord_Howe", "2025-04-05T14:00:00Z"], // half an hour of daylight saving
      ["Africa/Monrovia", "1970-01-01T00:00:00Z"], // UTC-0:44:30 until 1972: formatted each time
    ] as const;
    for (const [zone, from] of spans) {
      const start = Date.parse(from);
      for (let m = 0; m < 4 * 60; m += 1) {
        const ms = start + m * 60_000 + 47_000;
        expect(hourIn(zone, ms), `${zone} ${new Date(ms).toISOString()}`).toBe(direct(zone, ms));
      }
    }
  });
});

describe("balances", () => {
  it("balance_share is the amount over the balance before; null when the balance is unknown or zero", () => {
    const f = features(tx({ amount: 250, balance_before: 1000, balance_after: 750 }), customer());
    expect([f.balance_before, f.balance_after, f.balance_share]).toEqual([1000, 750, 0.25]);
    const emptied = features(tx({ amount: 1000, balance_before: 1000, balance_after: 0 }), customer());
    expect([emptied.balance_after, emptied.balance_share]).toEqual([0, 1]);
    expect(features(tx({ amount: 250, balance_before: 0 }), customer()).balance_share).toBeNull();
    const unknown = features(tx({ amount: 250 }), customer());
    expect([unknown.balance_before, unknown.balance_after, unknown.balance_share]).toEqual([null, null, null]);
  });
});

describe("devices", () => {
  // Known devices A and B, B used last.
  const p = withHistory(customer(), [
    { device_id: "device-A", timestamp: at(-2 * HOUR) },
    { device_id: "device-B", timestamp: at(-HOUR) },
  ]);
  const device = (device_id: string | undefined) => {
    const f = features(tx({ device_id }), p);
    return { changed: f.device_changed, isNew: f.device_is_new };
  };

  it("the last device: neither changed nor new", () => expect(device("device-B")).toEqual({ changed: false, isNew: false }));
  it("an earlier known device: changed but not new", () => expect(device("device-A")).toEqual({ changed: true, isNew: false }));
  it("a never-seen device: changed and new", () => expect(device("device-C")).toEqual({ changed: true, isNew: true }));
  it("no device sent: neither", () => expect(device(undefined)).toEqual({ changed: false, isNew: false }));

  it("a customer with no known device: a device is neither changed nor new", () => {
    const f = features(tx({ device_id: "device-A" }), customer());
    expect([f.device_changed, f.device_is_new]).toEqual([false, false]);
  });
});

describe("counterparties", () => {
  const p = withHistory(customer(), [{ counterparty_id: "user-2", merchant_id: undefined, timestamp: at(-HOUR) }]);

  it("a counterparty the customer sent to before is not new; another one is", () => {
    expect(features(tx({ counterparty_id: "user-2" }), p).counterparty_is_new).toBe(false);
    expect(features(tx({ counterparty_id: "user-3" }), p).counterparty_is_new).toBe(true);
  });

  it("no counterparty (a merchant payment) is not a new counterparty", () => {
    expect(features(tx({ merchant_id: "merchant-1" }), p).counterparty_is_new).toBe(false);
  });
});

describe("account age", () => {
  const p = customer({ account_created: at(-7 * DAY) });

  it("counts whole days since the account was created", () => {
    expect(features(tx({ timestamp: at(-1) }), p).account_age_days).toBe(6);
    expect(features(tx(), p).account_age_days).toBe(7);
    expect(features(tx(), customer()).account_age_days).toBe(365);
  });

  it("is 0, not negative, for a transaction dated before the account was opened", () => {
    expect(features(tx({ timestamp: at(-8 * DAY) }), p).account_age_days).toBe(0);
  });
});

describe("applyTransaction feeds the features of the next transaction", () => {
  it("a declined attempt counts for velocity and time since last, but not in the 30-day figures", () => {
    const declined = applyTransaction(customer(), tx({ amount: 5000, device_id: "device-X", timestamp: at(-30 * SECOND) }), NOW.toISOString(), false);
    const f = features(tx({ device_id: "device-X" }), declined);
    expect([f.tx_count_1h, f.tx_sum_1h, f.seconds_since_last_tx]).toEqual([1, 5000, 30]);
    expect([f.tx_count_30d, f.avg_amount_30d, f.is_first_transaction]).toEqual([0, 0, false]);
  });
});
