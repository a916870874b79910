import { describe, expect, it } from "vitest";
import { everydayAmount, mixedTraffic, SYNTHETIC_CITIES, syntheticTransaction, usualAmount } from "../src/demo/synthetic.ts";
import { seededRandom } from "../src/demo/scenario.ts";
import { parseTransaction } from "../src/transaction/transaction.ts";

const traffic = (seed: number, n: number, units: "lab" | "xaf") => {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => syntheticTransaction(i, rnd, { runId: "t", customers: 50, units }));
};

describe("synthetic traffic", () => {
  it("replays exactly from its seed, and differs with another seed", () => {
    expect(traffic(3, 200, "xaf")).toEqual(traffic(3, 200, "xaf"));
    expect(traffic(4, 200, "xaf")).not.toEqual(traffic(3, 200, "xaf"));
  });

  it("gives each customer one device, city and kind of shop, and amounts around their usual one", () => {
    const seen = new Map<string, string>();
    for (const tx of traffic(9, 2_000, "xaf")) {
      const k = Number(tx.user_id.slice("cust_".length));
      const home = `${tx.device_id}|${tx.location}|${tx.merchant_category}`;
      expect(seen.get(tx.user_id) ?? home).toBe(home);
      seen.set(tx.user_id, home);
      expect(tx.amount).toBeGreaterThanOrEqual(Math.max(100, Math.floor(usualAmount(k, "xaf") * Math.exp(-0.6))));
      expect(tx.amount).toBeLessThanOrEqual(Math.ceil(usualAmount(k, "xaf") * Math.exp(0.6)));
      expect(parseTransaction(tx, { now: new Date() }).ok).toBe(true);
    }
    expect(seen.size).toBe(50);
  });

  it("keeps amounts in the lab's units above the lab's floor", () => {
    expect(everydayAmount(usualAmount(0, "lab"), 0, "lab")).toBeGreaterThanOrEqual(5);
    expect(usualAmount(41, "lab")).toBe(30 + 7);
  });

  it("mixes in about one unusual transaction in eight, each valid and stamped in order", () => {
    const start = Date.parse("2025-06-01T00:00:00.000Z");
    const all = [...mixedTraffic(4_000, 7, { runId: "m", customers: 200, units: "lab", start })];
    const everydayMost = (k: number) => Math.ceil(usualAmount(k, "lab") * Math.exp(0.6));
    const unusual = all.filter(
      ({ customer: k, input, now }) =>
        input.device_id !== `device_${k}` || Date.parse(input.timestamp) < now || input.amount > everydayMost(k) || input.location !== SYNTHETIC_CITIES[k % 4],
    );
    expect(unusual.length / all.length).toBeGreaterThan(0.1);
    expect(unusual.length / all.length).toBeLessThan(0.16);
    for (const { input, now } of all) expect(parseTransaction(input, { now: new Date(now + 60_000) }).ok).toBe(true);
    expect([...mixedTraffic(50, 7, { runId: "m", customers: 200, units: "lab", start })]).toEqual(all.slice(0, 50));
  });
});
