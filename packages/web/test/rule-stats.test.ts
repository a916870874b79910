import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDashboard, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { ruleStats } = await import("@/server/rules");

let d: Dashboard;
beforeAll(async () => {
  d = await openDashboard();
});
afterAll(() => d?.close());

describe("the rules page's figures on the embedded platform", () => {
  it("counts every decision each rule fired on, as the decisions record them", async () => {
    expect(await ruleStats()).toMatchObject({ hits: {} });
    const fired: Record<string, number> = {};
    for (let i = 0; i < 8; i++) {
      const r = await d.platform.scoring.submit({
        transaction_id: `hits-${i}`,
        user_id: `user_00${1 + (i % 4)}`,
        amount: i % 2 ? 9_000 : 25,
        merchant_id: "MERCH_1",
        device_id: `device_new_${i}`,
        location: "Douala, CM",
      });
      if (r.status !== "recorded") throw new Error(`not recorded: ${r.status}`);
      for (const rule of r.decision.rules) fired[rule.id] = (fired[rule.id] ?? 0) + 1;
    }
    expect(Object.keys(fired).length).toBeGreaterThan(0);
    expect((await ruleStats()).hits).toEqual(fired);
  });
});
