import { describe, expect, it } from "vitest";
import { defaultSettings, fingerprint } from "../src/index.ts";

describe("fingerprint", () => {
  const base = { user_id: "u", amount: 10, merchant_id: "m", timestamp: "2026-01-01T10:00:00.000Z" };
  it("treats the same instant and the default currency spelled out as the same transaction", () => {
    const a = fingerprint(base, defaultSettings);
    expect(fingerprint({ ...base, timestamp: "2026-01-01T11:00:00+01:00" }, defaultSettings)).toBe(a);
    expect(fingerprint({ ...base, currency: "XAF" }, defaultSettings)).toBe(a);
    expect(fingerprint({ ...base, amount: 11 }, defaultSettings)).not.toBe(a);
    expect(fingerprint({ ...base, currency: "EUR" }, defaultSettings)).not.toBe(a);
  });

  it("stays the value stored by earlier versions, so a retry after an upgrade is still a retry", () => {
    expect(fingerprint(base, defaultSettings)).toBe("Yfk54xDkGl7NpKTaS7IHYX");
  });
});
