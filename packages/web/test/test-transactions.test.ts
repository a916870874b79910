import { Features } from "@fraud/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { english, openDashboard, textOf, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { testTransaction, runLabBatch } = await import("@/actions/test");
const { presets } = await import("@/server/test-presets");
const { searchDecisions } = await import("@/server/decisions");
const { currentUser } = await import("@/server/auth");
const { default: TransactionPage } = await import("@/app/(dashboard)/transactions/[id]/page");

/*
 * The test page's actions as an analyst calls them: the transaction typed in the form, and the demo
 * scenario replayed in batches. Both are scored and shown, and both leave the real customers'
 * profiles, the decision log and the consumers' outbox exactly as they were.
 */

let d: Dashboard;
beforeAll(async () => {
  d = await openDashboard();
}, 60_000);
afterAll(() => d?.close());

/** The stored bytes of every real profile, decision and outbox row. */
const production = () =>
  JSON.stringify(
    ["profiles", "decisions", "decision_rules", "outbox", "alerts", "metrics_minute", "reviews"].map((t) =>
      d.platform.db.prepare(`SELECT * FROM ${t}`).raw().all(),
    ),
  );

function formOf(values: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(values)) if (v !== undefined) form.set(k, String(v));
  return form;
}

const page = async (id: string) => textOf(await TransactionPage({ params: Promise.resolve({ id: encodeURIComponent(id) }) }));

describe("the test page", () => {
  it("scores the form's transaction against the customer's profile, changes nothing real, and its page shows it as a test", async () => {
    await d.signInAs("analyst");
    const suspicious = presets("CM").find((p) => p.label === "suspicious")!;
    const before = production();
    const result = await testTransaction({ status: "idle" }, formOf({ ...suspicious.transaction, transaction_id: "form-test-1" }));
    expect(result.status).toBe("ok");
    expect(result.data).toMatchObject({ transaction_id: "form-test-1", decision: "BLOCKED" });
    expect(result.data?.fired.map((r) => r.id)).toContain("DEVICE_CHANGE");
    expect(production()).toBe(before);
    expect((await searchDecisions((await currentUser())!, {})).map((r) => r.transaction_id)).not.toContain("form-test-1");

    const shown = await page("form-test-1");
    expect(shown).toContain(english("transaction", "test"));
    expect(shown).toContain(english("transaction", "testNotice"));
    expect(shown).toContain("BLOCKED");

    // A real transaction's page carries neither.
    await d.platform.scoring.submit({ ...suspicious.transaction, transaction_id: "real-1" });
    const real = await page("real-1");
    expect(real).not.toContain(english("transaction", "test"));
    expect(real).not.toContain(english("transaction", "testNotice"));
  });

  it("starts the form from a usual payment in a city of the deployment's country, which the engine approves", async () => {
    await d.signInAs("analyst");
    const normal = presets("CM").find((p) => p.label === "normal")!;
    expect(Features.lookupPlace(normal.transaction.location!)?.country).toBe("CM");
    const result = await testTransaction({ status: "idle" }, formOf({ ...normal.transaction, transaction_id: "form-normal-1" }));
    expect(result.data).toMatchObject({ decision: "APPROVED", fired: [] });
  });

  it("runs the demo scenario as tests: its summary has all 50, and no real profile, decision or figure moves", async () => {
    await d.signInAs("analyst");
    const before = production();
    const runId = "demo-web-run-1";
    const end = new Date().toISOString();
    const rows = [];
    for (let from = 0; from < 50; from += 10) {
      const batch = await runLabBatch({ runId, end, from, to: from + 10 });
      expect(batch.status).toBe("ok");
      rows.push(...batch.data!.rows);
    }
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.label))).toEqual(new Set(["normal", "suspicious", "new_customer"]));
    expect(rows.filter((r) => r.label === "suspicious").every((r) => r.decision !== "APPROVED")).toBe(true);
    // The customers pay from their own cities, where the seed put them: usual payments pass.
    expect(rows.filter((r) => r.label === "normal").every((r) => r.decision === "APPROVED")).toBe(true);
    expect(production()).toBe(before);
    expect(await page(rows[0]!.transaction_id)).toContain(english("transaction", "testNotice"));
  });
});
