import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testApp, type TestApp } from "./helpers.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.cleanup());

describe("concurrency", () => {
  it("keeps velocity counts and 30-day figures exact for hundreds of parallel transactions of one customer", async () => {
    const n = 300;
    const at = new Date().toISOString();
    const responses = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        t.post({ transaction_id: `par-${i}`, user_id: "parallel_user", amount: 10, merchant_id: "M", device_id: "d1", timestamp: at }),
      ),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const profile = await t.platform.profiles.get("parallel_user");
    expect(profile?.recent).toHaveLength(n);
    const decisions = await Promise.all(Array.from({ length: n }, (_, i) => t.platform.decisions.get(`par-${i}`)));
    // Each transaction saw exactly the ones recorded before it: 0, 1, ..., n-1, each once.
    const seen = decisions.map((d) => d!.features.tx_count_24h as number).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
    const approved = decisions.filter((d) => d!.decision === "APPROVED").length;
    const lastDay = profile!.daily.at(-1)!;
    expect(profile!.daily.reduce((s, d) => s + d.count, 0)).toBe(approved);
    expect(lastDay.sum).toBeCloseTo(approved * 10, 5);
  });
});
