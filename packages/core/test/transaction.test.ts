import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Settings } from "../src/settings/settings.ts";
import { parseTransaction, Transaction, TransactionInput, TRANSACTION_TYPES, type ParseResult } from "../src/transaction/transaction.ts";
import { MINUTE, NOW } from "./support.ts";

const VALID = { user_id: "user-1", amount: 2500, merchant_id: "MERCH_1" } as const;

function parse(input: unknown, settings?: Settings): ParseResult {
  return parseTransaction(input, settings ? { now: NOW, settings } : { now: NOW });
}

/** The failing fields of an input that must be refused. */
function failures(input: unknown, settings?: Settings): Record<string, string[]> {
  const result = parse(input, settings);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return result.fields;
}

function accepted(input: unknown): Transaction {
  const result = parse(input);
  if (!result.ok) throw new Error(`expected acceptance, got ${JSON.stringify(result.fields)}`);
  return result.transaction;
}

describe("parseTransaction: defaults", () => {
  it("gives a transaction without id, currency or timestamp a UUID, XAF and the server's time", () => {
    const t = accepted(VALID);
    expect(t.transaction_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(t.currency).toBe("XAF");
    expect(t.timestamp).toBe(NOW.toISOString());
    expect(accepted(VALID).transaction_id).not.toBe(t.transaction_id);
  });

  it("uses the deployment's currency when none is sent, and keeps the one sent", () => {
    const settings = Settings.parse({ currency: "EUR" });
    const r = parse(VALID, settings);
    expect(r.ok && r.transaction.currency).toBe("EUR");
    expect(accepted({ ...VALID, currency: "USD" }).currency).toBe("USD");
  });

  it("keeps the client's id and normalises its timestamp to UTC", () => {
    const t = accepted({ ...VALID, transaction_id: "client-42", timestamp: "2025-06-15T12:30:00+01:00" });
    expect(t.transaction_id).toBe("client-42");
    expect(t.timestamp).toBe("2025-06-15T11:30:00.000Z");
  });

  it("accepts every field of a full mobile-money transfer", () => {
    const full = {
      ...VALID,
      transaction_id: "t-1",
      currency: "XAF",
      merchant_category: "TELECOM",
      device_id: "device-1",
      location: "Douala, CM",
      ip_address: "2001:db8::1",
      timestamp: "2025-06-15T11:00:00Z",
      type: "TRANSFER",
      counterparty_id: "user-2",
      balance_before: 10_000,
      balance_after: 7_500,
      latitude: 4.05,
      longitude: 9.7,
    };
    expect(accepted(full)).toEqual({ ...full, timestamp: "2025-06-15T11:00:00.000Z" });
  });

  it("accepts a transfer with a counterparty and no merchant", () => {
    const { merchant_id: _, ...noMerchant } = VALID;
    expect(accepted({ ...noMerchant, counterparty_id: "user-2" }).counterparty_id).toBe("user-2");
  });
});

describe("parseTransaction: refusals name the failing field", () => {
  it("refuses unknown fields by name", () => {
    expect(failures({ ...VALID, amout: 3, vip: true })).toEqual({
      amout: ["is not a known field"],
      vip: ["is not a known field"],
    });
  });

  it("refuses unknown fields named like Object.prototype members without throwing", () => {
    for (const key of ["constructor", "toString", "hasOwnProperty", "__proto__"]) {
      const input = JSON.parse(`{"user_id":"u","amount":1,"merchant_id":"m",${JSON.stringify(key)}:1}`);
      const fields = failures(input);
      expect(Object.keys(fields)).toEqual([key]);
      expect(Object.getOwnPropertyDescriptor(fields, key)?.value).toEqual(["is not a known field"]);
    }
  });

  it("refuses wrong types", () => {
    const fields = failures({ user_id: 7, amount: "2500", merchant_id: ["m"], type: "REFUND", latitude: "4.0", longitude: 9 });
    expect(Object.keys(fields).sort()).toEqual(["amount", "latitude", "merchant_id", "type", "user_id"]);
  });

  it("refuses a body that is not an object", () => {
    for (const body of [null, [], "a transaction", 42, undefined]) expect(Object.keys(failures(body))).toEqual(["_"]);
  });

  it.each([0, -1, -0.01])("refuses amount %s", (amount) => {
    expect(failures({ ...VALID, amount }).amount).toEqual(["must be greater than 0"]);
  });

  it("refuses NaN and Infinity (which JSON cannot carry) and the strings that name them", () => {
    for (const amount of [Number.NaN, Infinity, -Infinity, "NaN", "Infinity"]) {
      expect(Object.keys(failures({ ...VALID, amount }))).toEqual(["amount"]);
    }
    // What a client's JSON.stringify makes of them:
    expect(JSON.parse(JSON.stringify({ amount: Number.NaN })).amount).toBeNull();
    expect(Object.keys(failures(JSON.parse(JSON.stringify({ ...VALID, amount: Infinity }))))).toEqual(["amount"]);
  });

  it("refuses an amount or a balance above the deployment's maximum, and accepts the maximum", () => {
    const settings = Settings.parse({ maxAmount: 1_000_000 });
    expect(parse({ ...VALID, amount: 1_000_000 }, settings).ok).toBe(true);
    expect(failures({ ...VALID, amount: 1_000_000.01 }, settings)).toEqual({ amount: ["must be at most 1000000"] });
    expect(failures({ ...VALID, balance_before: 2_000_000, balance_after: 1_000_001 }, settings)).toEqual({
      balance_before: ["must be at most 1000000"],
      balance_after: ["must be at most 1000000"],
    });
    expect(failures({ ...VALID, amount: 1e13 }).amount).toEqual(["must be at most 1000000000000"]);
  });

  it("refuses a negative balance", () => {
    expect(Object.keys(failures({ ...VALID, balance_before: -1 }))).toEqual(["balance_before"]);
  });

  it("refuses text over 128 characters and accepts 128", () => {
    expect(accepted({ ...VALID, user_id: "u".repeat(128) }).user_id).toHaveLength(128);
    expect(failures({ ...VALID, user_id: "u".repeat(129) })).toEqual({ user_id: ["must be at most 128 characters"] });
    expect(failures({ ...VALID, merchant_id: "" })).toEqual({ merchant_id: ["must not be empty"] });
  });

  it("refuses control characters anywhere in a text field", () => {
    for (const bad of ["user\u0000", "a\nb", "tab\there", "\u007f", "\u009b"]) {
      expect(failures({ ...VALID, device_id: bad })).toEqual({ device_id: ["must not contain control characters"] });
    }
    expect(accepted({ ...VALID, location: "Yaoundé, CM" }).location).toBe("Yaoundé, CM");
    expect(accepted({ ...VALID, merchant_id: "Boutique 🌍" }).merchant_id).toBe("Boutique 🌍");
  });

  it("refuses lone surrogates, which cannot be stored as UTF-8", () => {
    expect(failures({ ...VALID, user_id: "user\uD800" })).toEqual({ user_id: ["must be valid Unicode"] });
    expect(failures({ ...VALID, location: "\uDC00Douala" })).toEqual({ location: ["must be valid Unicode"] });
  });

  it("accepts a timestamp 4 minutes in the future (clock skew) but refuses one more than 5 minutes ahead", () => {
    const ahead = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
    expect(accepted({ ...VALID, timestamp: ahead(4 * MINUTE) }).timestamp).toBe(ahead(4 * MINUTE));
    expect(accepted({ ...VALID, timestamp: ahead(5 * MINUTE) }).timestamp).toBe(ahead(5 * MINUTE));
    expect(failures({ ...VALID, timestamp: ahead(5 * MINUTE + 1_000) })).toEqual({
      timestamp: ["must not be more than 300 seconds in the future"],
    });
    expect(Object.keys(failures({ ...VALID, timestamp: "2031-01-01T00:00:00Z" }))).toEqual(["timestamp"]);
  });

  it("refuses a timestamp without a time zone, or that is not a date-time", () => {
    for (const timestamp of ["2025-06-15T11:00:00", "2025-06-15", "15/06/2025 11:00", "2025-02-30T10:00:00Z", "yesterday"]) {
      expect(failures({ ...VALID, timestamp })).toEqual({ timestamp: ["must be an ISO 8601 date-time with a time zone"] });
    }
  });

  it("refuses a timestamp before 2000", () => {
    expect(failures({ ...VALID, timestamp: "1999-12-31T23:59:59Z" })).toEqual({ timestamp: ["must be after the year 2000"] });
  });

  it("requires merchant_id or counterparty_id", () => {
    const { merchant_id: _, ...noMerchant } = VALID;
    expect(failures(noMerchant)).toEqual({ merchant_id: ["merchant_id or counterparty_id is required"] });
  });

  it("names the checks across fields in the same answer as the other failing fields", () => {
    const { merchant_id: _, ...noMerchant } = VALID;
    expect(failures({ ...noMerchant, amount: -1, latitude: 4.05 })).toEqual({
      amount: ["must be greater than 0"],
      merchant_id: ["merchant_id or counterparty_id is required"],
      latitude: ["latitude and longitude go together"],
    });
    expect(TransactionInput.safeParse({ ...noMerchant, latitude: 4.05 }).error?.issues.map((i) => [i.path.join("."), i.code])).toEqual([
      ["merchant_id", "custom"],
      ["latitude", "custom"],
    ]);
  });

  it("refuses a latitude without a longitude, and the reverse", () => {
    expect(failures({ ...VALID, latitude: 4.05 })).toEqual({ latitude: ["latitude and longitude go together"] });
    expect(failures({ ...VALID, longitude: 9.7 })).toEqual({ latitude: ["latitude and longitude go together"] });
    expect(Object.keys(failures({ ...VALID, latitude: 91, longitude: 9.7 }))).toEqual(["latitude"]);
    expect(Object.keys(failures({ ...VALID, latitude: 4, longitude: -180.5 }))).toEqual(["longitude"]);
  });

  it("refuses an unknown currency, a malformed IP address and an unknown type", () => {
    expect(Object.keys(failures({ ...VALID, currency: "FCFA", ip_address: "300.1.1.1", type: "payment" })).sort()).toEqual(["currency", "ip_address", "type"]);
  });

  it("names every failing field at once, whatever layer of checks it fails", () => {
    const fields = failures({ amount: 1e13, latitude: 4.05, timestamp: "2031-01-01T00:00:00Z", device_id: "", extra: 1 });
    expect(Object.keys(fields).sort()).toEqual(["amount", "device_id", "extra", "latitude", "merchant_id", "timestamp", "user_id"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: whatever a client sends, parseTransaction answers (never throws), and what it accepts
// is a transaction that passes validation again unchanged.

const KNOWN_KEYS = [
  "transaction_id",
  "user_id",
  "amount",
  "currency",
  "merchant_id",
  "merchant_category",
  "device_id",
  "location",
  "ip_address",
  "timestamp",
  "type",
  "counterparty_id",
  "balance_before",
  "balance_after",
  "latitude",
  "longitude",
] as const;
const AWKWARD_KEYS = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "", "amount ", "AMOUNT"];

const timestampArb = fc
  .tuple(
    fc.date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true }),
    fc.constantFrom("Z", "+01:00", "-05:30", "+14:00", ""),
  )
  .map(([d, zone]) => d.toISOString().replace("Z", zone));

const validArb = fc.record(
  {
    transaction_id: fc.string({ minLength: 1, maxLength: 20 }),
    user_id: fc.string({ minLength: 1, maxLength: 20 }),
    amount: fc.double({ min: 0.01, max: 1e6, noNaN: true }),
    currency: fc.constantFrom("XAF", "EUR", "USD", "XOF"),
    merchant_id: fc.string({ minLength: 1, maxLength: 20 }),
    device_id: fc.string({ minLength: 1, maxLength: 20 }),
    location: fc.constantFrom("Douala, CM", "Paris, FR", "Atlantis"),
    ip_address: fc.oneof(fc.ipV4(), fc.ipV6()),
    timestamp: fc.oneof(timestampArb, fc.constant(new Date(NOW.getTime() - 1000).toISOString())),
    type: fc.constantFrom(...TRANSACTION_TYPES),
    counterparty_id: fc.string({ minLength: 1, maxLength: 20 }),
    balance_before: fc.double({ min: 0, max: 1e7, noNaN: true }),
  },
  { requiredKeys: ["user_id", "amount", "merchant_id"] },
);

type Mutation = { key: string; value: unknown } | { key: string; remove: true };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ key: fc.constantFrom<string>(...KNOWN_KEYS, ...AWKWARD_KEYS), value: fc.anything() }),
  fc.record({ key: fc.constantFrom<string>(...KNOWN_KEYS), value: fc.oneof(fc.double(), fc.string(), fc.string({ unit: "binary" })) }),
  fc.record({ key: fc.constantFrom<string>(...KNOWN_KEYS), remove: fc.constant(true as const) }),
);

function mutate(base: Record<string, unknown>, mutations: Mutation[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const m of mutations) {
    if ("remove" in m) delete out[m.key];
    // defineProperty: an own "__proto__" key, as JSON.parse makes it, not a prototype change.
    else Object.defineProperty(out, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const inputArb = fc.oneof(
  fc.anything(),
  fc.object(),
  fc.jsonValue(),
  fc.dictionary(fc.constantFrom<string>(...KNOWN_KEYS, ...AWKWARD_KEYS), fc.anything()),
  fc.tuple(validArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([v, ms]) => mutate(v, ms)),
  validArb,
);

describe("parseTransaction: property", () => {
  it("never throws; accepts only transactions that re-validate unchanged, and otherwise names fields", () => {
    let acceptedCount = 0;
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = parseTransaction(input, { now: NOW });
        if (result.ok) {
          acceptedCount++;
          const t = result.transaction;
          expect(Transaction.safeParse(t).success).toBe(true);
          const again = parseTransaction(JSON.parse(JSON.stringify(t)), { now: NOW });
          expect(again).toEqual({ ok: true, transaction: t });
        } else {
          const entries = Object.entries(result.fields);
          expect(entries.length).toBeGreaterThan(0);
          for (const [, messages] of entries) {
            expect(messages.length).toBeGreaterThan(0);
            for (const m of messages) expect(typeof m).toBe("string");
          }
          expect(() => JSON.stringify(result.fields)).not.toThrow();
        }
      }),
      { numRuns: 1500 },
    );
    // The generators must reach the accepting branch too, or the property proves little.
    expect(acceptedCount).toBeGreaterThan(50);
  });
});
