import { toCsv } from "@fraud/core/csv";
import { LocalLakeWriter, OutboxWorker } from "@fraud/core/local";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDashboard, textOf, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { runReport } = await import("@/actions/analytics");
const { personalData } = await import("@/server/personal-data");
const { currentUser } = await import("@/server/auth");
const { searchDecisions, transactionDetail } = await import("@/server/decisions");
const { searchProfiles, profileDetail } = await import("@/server/profiles");
const { alertInbox } = await import("@/server/alerts");
const { reviewQueue } = await import("@/server/review");
const { auditEntries } = await import("@/server/audit");
const { listEntries } = await import("@/server/lists");
const { GET: liveDecisions } = await import("@/app/live/decisions/route");
const pages = {
  alerts: (await import("@/app/(dashboard)/alerts/page")).default,
  decisions: (await import("@/app/(dashboard)/decisions/page")).default,
  transaction: (await import("@/app/(dashboard)/transactions/[id]/page")).default,
  profiles: (await import("@/app/(dashboard)/profiles/page")).default,
  profile: await import("@/app/(dashboard)/profiles/[id]/page"),
  review: (await import("@/app/(dashboard)/review/page")).default,
  audit: (await import("@/app/(dashboard)/audit/page")).default,
  lists: (await import("@/app/(dashboard)/lists/page")).default,
};

/* A mobile-money customer known by their phone number, paying another: a viewer never reads either whole. */
const PHONE_USER = "+237670000001";
const COUNTERPARTY = "237690000002";
/** Digits of either number that no masked form keeps (a mask keeps the last two). */
const UNMASKED = /670000|690000/;

let d: Dashboard;
beforeAll(async () => {
  d = await openDashboard();
  // Blocked by a list entry: each payment is a BLOCKED decision, with its alert and its case.
  await d.platform.lists.add({ kind: "block", field: "user_id", value: PHONE_USER, reason: `pays ${COUNTERPARTY} every night` }, { id: "test" });
  for (let i = 0; i < 3; i++) {
    await d.platform.scoring.submit({ transaction_id: `pd-${i}`, user_id: PHONE_USER, amount: 5_000 + i, counterparty_id: COUNTERPARTY, type: "TRANSFER" });
  }
  const lake = await LocalLakeWriter.open(d.platform.lakeDir);
  await new OutboxWorker(d.platform.db, lake, { lakeFlushSeconds: 0 }).drain();
  lake.close();
  // The customer's traces elsewhere: a case note, an edit of their profile (the audit log).
  await d.platform.reviews.note({ transaction_id: "pd-0", note: `called ${PHONE_USER}` }, { id: "analyst1" });
  await d.platform.profiles.edit(PHONE_USER, { email: "mobile.money@example.com" }, { id: "analyst1" });
}, 60_000);
afterAll(() => d?.close());

/** Every string anywhere in a value: a page's element tree with the props it passes to client components, a JSON answer, a row. */
function strings(value: unknown, out: string[] = [], seen = new Set<unknown>()): string[] {
  if (typeof value === "string") out.push(value);
  else if (value && typeof value === "object" && !seen.has(value)) {
    seen.add(value);
    for (const v of Object.values(value)) strings(v, out, seen);
  }
  return out;
}
const everything = (value: unknown) => strings(value).join("\n");

async function as(role: "viewer" | "analyst") {
  await d.signInAs(role);
  return (await currentUser())!;
}

describe("personal data for viewers", () => {
  it("report results, and so their CSV export, show a viewer masked phone numbers and everyone else the stored value", async () => {
    const topCustomers = async () => {
      const form = new FormData();
      form.set("report", "top_customers");
      form.set("param.from", "today-1");
      form.set("param.to", "today");
      const state = await runReport({ status: "idle" }, form);
      expect(state.status).toBe("ok");
      return state.data!;
    };
    await as("viewer");
    const masked = await topCustomers();
    const csv = toCsv(
      masked.columns.map((c) => c.name),
      masked.rows,
    );
    expect(csv).toContain("+**********01");
    expect(csv).not.toMatch(UNMASKED);
    for (const role of ["analyst", "admin"] as const) {
      await d.signInAs(role);
      const plain = await topCustomers();
      expect(plain.rows.map((r) => r[0])).toContain(PHONE_USER);
      // The same rows, only the text differs.
      expect(plain.rows.length).toBe(masked.rows.length);
    }
  });

  it("the decisions list and its live updates show a viewer the customer masked, linked by a reference that does not hold the number", async () => {
    const viewer = await as("viewer");
    const rows = await searchDecisions(viewer, { user: PHONE_USER });
    expect(rows).toHaveLength(3);
    expect(rows[0]!.customer.label).toBe("+**********01");
    expect(everything(rows)).not.toMatch(UNMASKED);
    const live = await liveDecisions(new NextRequest(`http://localhost/live/decisions?user=${encodeURIComponent(PHONE_USER)}`));
    const body = await live.text();
    expect(body).toContain("+**********01");
    expect(body).not.toMatch(UNMASKED);
    // The reference opens the customer's profile all the same.
    const href = rows[0]!.customer.href;
    expect((await profileDetail(viewer, href.replace("/profiles/", "")))?.profile.risk_level).toBeDefined();

    const analyst = await as("analyst");
    const plain = await searchDecisions(analyst, { user: PHONE_USER });
    expect(plain[0]!.customer).toEqual({ label: PHONE_USER, href: `/profiles/${encodeURIComponent(PHONE_USER)}` });
    expect(await (await liveDecisions(new NextRequest(`http://localhost/live/decisions?user=${encodeURIComponent(PHONE_USER)}`))).text()).toContain(PHONE_USER);
  });

  it("a transaction's detail shows a viewer no number anywhere: fields, values the rules read, case notes, blocks, alerts", async () => {
    const forViewer = await transactionDetail(await as("viewer"), "pd-0");
    expect(forViewer!.activeBlocks).toHaveLength(1);
    expect(forViewer!.history.some((e) => e.note === "called +**********01")).toBe(true);
    expect(everything(forViewer)).not.toMatch(UNMASKED);
    expect(forViewer!.decision.transaction_id).toBe("pd-0");
    const forAnalyst = everything(await transactionDetail(await as("analyst"), "pd-0"));
    expect(forAnalyst).toContain(PHONE_USER);
    expect(forAnalyst).toContain(COUNTERPARTY);
  });

  it("profile search gives a viewer masked customers and matches only a whole id or email, so a part of a number tells nothing", async () => {
    const viewer = await as("viewer");
    const whole = await searchProfiles(viewer, PHONE_USER);
    expect(whole.map((r) => r.customer.label)).toEqual(["+**********01"]);
    expect(everything(whole)).not.toMatch(UNMASKED);
    expect(await searchProfiles(viewer, "67000")).toEqual([]);
    expect((await searchProfiles(viewer, "MOBILE.money@example.com")).map((r) => r.customer.label)).toEqual(["+**********01"]);
    expect(everything(await searchProfiles(viewer, ""))).not.toMatch(UNMASKED);

    const analyst = await as("analyst");
    expect((await searchProfiles(analyst, "67000")).map((r) => r.customer.label)).toEqual([PHONE_USER]);
  });

  it("a profile shows a viewer the id, email, phone and audit history masked, reached by the reference or by the id", async () => {
    await d.platform.profiles.edit("user_001", { phone: "+237 699 00 00 42" }, { id: "test" });
    const viewer = await as("viewer");
    const [row] = await searchProfiles(viewer, PHONE_USER);
    const byRef = await profileDetail(viewer, row!.customer.href.replace("/profiles/", ""));
    const byId = await profileDetail(viewer, encodeURIComponent(PHONE_USER));
    expect(byRef).toEqual(byId);
    expect(byRef!.customer.label).toBe("+**********01");
    expect(byRef!.profile.email).toBe("m***@example.com");
    expect(byRef!.history.length).toBeGreaterThan(0);
    expect(everything(byRef)).not.toMatch(UNMASKED);
    const other = await profileDetail(viewer, "user_001");
    expect(other!.profile.phone).toBe("+**********42");
    expect(everything(other)).not.toMatch(/699 00/);
    expect(await profileDetail(viewer, "not-a-customer")).toBeUndefined();

    const analyst = await as("analyst");
    const plain = await profileDetail(analyst, encodeURIComponent(PHONE_USER));
    expect(plain!.profile).toMatchObject({ user_id: PHONE_USER, email: "mobile.money@example.com" });
    // An analyst opening a link a viewer was given reaches the same customer.
    expect((await profileDetail(analyst, row!.customer.href.replace("/profiles/", "")))!.profile.user_id).toBe(PHONE_USER);
  });

  it("the alert inbox, review queue, audit log and block lists show a viewer the customer masked, an analyst as stored", async () => {
    const load = async (user: Awaited<ReturnType<typeof as>>) => ({
      alerts: await alertInbox(user, {}),
      cases: await reviewQueue(user, { status: "all", limit: 100 }),
      audit: await auditEntries(user, { limit: 50 }),
      lists: await listEntries(user),
    });
    const forViewer = await load(await as("viewer"));
    for (const [what, rows] of Object.entries(forViewer)) {
      expect(everything(rows), what).toContain("+**********01");
      expect(everything(rows), what).not.toMatch(UNMASKED);
    }
    const forAnalyst = await load(await as("analyst"));
    for (const [what, rows] of Object.entries(forAnalyst)) expect(everything(rows), what).toContain(PHONE_USER);
  });

  it("every page a viewer opens, with what it hands to the browser (links, live data, titles), holds no number unmasked", async () => {
    await as("viewer");
    const [ref] = (await searchProfiles((await currentUser())!, PHONE_USER)).map((r) => r.customer.href.replace("/profiles/", ""));
    const rendered = {
      alerts: await pages.alerts({ searchParams: Promise.resolve({ show: "all" }) }),
      decisions: await pages.decisions({ searchParams: Promise.resolve({}) }),
      transaction: await pages.transaction({ params: Promise.resolve({ id: "pd-0" }) }),
      profiles: await pages.profiles({ searchParams: Promise.resolve({}) }),
      profile: await pages.profile.default({ params: Promise.resolve({ id: ref! }) }),
      profileTitle: await pages.profile.generateMetadata({ params: Promise.resolve({ id: encodeURIComponent(PHONE_USER) }) }),
      review: await pages.review({ searchParams: Promise.resolve({ status: "all" }) }),
      audit: await pages.audit({ searchParams: Promise.resolve({}) }),
      lists: await pages.lists(),
    };
    for (const [page, tree] of Object.entries(rendered)) {
      expect(everything(tree), page).toContain("+**********01");
      expect(everything(tree), page).not.toMatch(UNMASKED);
    }
    await as("analyst");
    expect(textOf(await pages.alerts({ searchParams: Promise.resolve({ show: "all" }) }))).toContain(PHONE_USER);
    expect(everything(await pages.profile.generateMetadata({ params: Promise.resolve({ id: encodeURIComponent(PHONE_USER) }) }))).toContain(PHONE_USER);
  });

  it("pages mask emails and phone numbers for a viewer only", () => {
    expect(personalData(d.users.viewer)("john.doe@example.com")).toBe("j***@example.com");
    expect(personalData(d.users.viewer)(PHONE_USER)).toBe("+**********01");
    expect(personalData(d.users.analyst)("john.doe@example.com")).toBe("john.doe@example.com");
    expect(personalData(d.users.admin)(PHONE_USER)).toBe(PHONE_USER);
  });
});
