import { toCsv } from "@fraud/core/csv";
import { LocalLakeWriter, OutboxWorker } from "@fraud/core/local";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDashboard, textOf, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { runReport } = await import("@/actions/analytics");
const { personalData } = await import("@/server/personal-data");
const { default: AlertsPage } = await import("@/app/(dashboard)/alerts/page");
const { default: ProfilePage } = await import("@/app/(dashboard)/profiles/[id]/page");

/* A mobile-money customer known by their phone number: a viewer never reads it whole. */
const PHONE_USER = "+237670000001";

let d: Dashboard;
beforeAll(async () => {
  d = await openDashboard();
  for (let i = 0; i < 3; i++) {
    await d.platform.scoring.submit({ transaction_id: `pd-${i}`, user_id: PHONE_USER, amount: 5_000 + i, counterparty_id: "237690000002", type: "TRANSFER" });
  }
  const lake = await LocalLakeWriter.open(d.platform.lakeDir);
  await new OutboxWorker(d.platform.db, lake, { lakeFlushSeconds: 0 }).drain();
  lake.close();
}, 60_000);
afterAll(() => d?.close());

async function topCustomers() {
  const form = new FormData();
  form.set("report", "top_customers");
  form.set("param.from", "today-1");
  form.set("param.to", "today");
  const state = await runReport({ status: "idle" }, form);
  expect(state.status).toBe("ok");
  return state.data!;
}

describe("personal data for viewers", () => {
  it("report results, and so their CSV export, show a viewer masked phone numbers and everyone else the stored value", async () => {
    await d.signInAs("viewer");
    const masked = await topCustomers();
    const csv = toCsv(masked.columns.map((c) => c.name), masked.rows);
    expect(csv).toContain("+**********01");
    expect(csv).not.toContain("670000001");
    for (const role of ["analyst", "admin"] as const) {
      await d.signInAs(role);
      const plain = await topCustomers();
      expect(plain.rows.map((r) => r[0])).toContain(PHONE_USER);
      // The same rows, only the text differs.
      expect(plain.rows.length).toBe(masked.rows.length);
    }
  });

  it("the alerts page shows a viewer the customer's phone number masked, an analyst as stored", async () => {
    await d.signInAs("viewer");
    const forViewer = textOf(await AlertsPage({ searchParams: Promise.resolve({ show: "all" }) })).join("\n");
    expect(forViewer).toContain("+**********01");
    expect(forViewer).not.toContain(PHONE_USER);
    await d.signInAs("analyst");
    expect(textOf(await AlertsPage({ searchParams: Promise.resolve({ show: "all" }) }))).toContain(PHONE_USER);
  });

  it("a profile page shows a viewer the email and phone masked, an analyst as stored", async () => {
    await d.platform.profiles.edit("user_001", { phone: "+237 699 00 00 42" }, { id: "test" });
    const page = async () => textOf(await ProfilePage({ params: Promise.resolve({ id: "user_001" }) })).join("\n");
    await d.signInAs("viewer");
    const forViewer = await page();
    expect(forViewer).toContain("j***@example.com");
    expect(forViewer).toContain("+**********42");
    expect(forViewer).not.toMatch(/john\.doe|699 00/);
    await d.signInAs("analyst");
    const forAnalyst = await page();
    expect(forAnalyst).toContain("john.doe@example.com");
    expect(forAnalyst).toContain("+237 699 00 00 42");
  });

  it("pages mask emails and phone numbers for a viewer only", () => {
    expect(personalData(d.users.viewer)("john.doe@example.com")).toBe("j***@example.com");
    expect(personalData(d.users.viewer)(PHONE_USER)).toBe("+**********01");
    expect(personalData(d.users.analyst)("john.doe@example.com")).toBe("john.doe@example.com");
    expect(personalData(d.users.admin)(PHONE_USER)).toBe(PHONE_USER);
  });
});
