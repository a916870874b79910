import { describe, expect, it } from "vitest";
import { Decision, Settings } from "../src/index.ts";

describe("fingerprint", () => {
  const base = { user_id: "u", amount: 10, merchant_id: "m", timestamp: "2026-01-01T10:00:00.000Z" };
  it("treats the same instant and the default currency spelled out as the same transaction", () => {
    const a = Decision.fingerprint(base, Settings.defaultSettings);
    expect(Decision.fingerprint({ ...base, timestamp: "2026-01-01T11:00:00+01:00" }, Settings.defaultSettings)).toBe(a);
    expect(Decision.fingerprint({ ...base, currency: "XAF" }, Settings.defaultSettings)).toBe(a);
    expect(Decision.fingerprint({ ...base, amount: 11 }, Settings.defaultSettings)).not.toBe(a);
    expect(Decision.fingerprint({ ...base, currency: "EUR" }, Settings.defaultSettings)).not.toBe(a);
  });

  it("stays the value stored by earlier versions, so a retry after an upgrade is still a retry", () => {
    expect(Decision.fingerprint(base, Settings.defaultSettings)).toBe("Yfk54xDkGl7NpKTaS7IHYX");
  });
});
