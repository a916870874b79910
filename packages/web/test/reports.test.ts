import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { simulateLake } from "@fraud/core/local";
import { readFileSync } from "node:fs";
import { isRedirect, openDashboard, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { runReport, saveReport } = await import("@/actions/analytics");

let d: Dashboard;
beforeAll(async () => {
  // Reports may use 64 MB here, so that one can go past it.
  d = await openDashboard({ reports: { memoryMb: 64 } });
  await simulateLake({ lakeDir: d.platform.lakeDir, days: 1, txPerDay: 2_000, end: new Date("2025-06-03T00:00:00Z"), seed: 3, runId: "web", threads: 1 });
});
afterAll(() => d?.close());

function form(values: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) f.append(k, v);
  return f;
}

const BY_DECISION = {
  name: "by_decision",
  title: "Decisions by outcome",
  description: "How many of each",
  "parameters.0.name": "from",
  "parameters.0.type": "date",
  "parameters.0.label": "From",
  "parameters.0.default": "today-30",
  "parameters.1.name": "to",
  "parameters.1.type": "date",
  "parameters.1.label": "To",
  "parameters.1.default": "today",
  sql: "SELECT decision, count(*) AS transactions FROM decisions WHERE dt BETWEEN :from AND :to GROUP BY decision ORDER BY decision",
  "chart.kind": "bar",
  "chart.x": "decision",
  "chart.y": "transactions",
};

/** Calls a form action; a redirect (saved) comes back as its target. */
async function submit(values: Record<string, string>) {
  try {
    return { state: await saveReport({ status: "idle" }, form(values)) };
  } catch (e) {
    if (!isRedirect(e)) throw e;
    return { redirect: String((e as { digest: string }).digest) };
  }
}

const saved = async () => (await d.platform.reports.list()).filter((r) => !r.builtin).map((r) => r.name);

describe("analysts' own reports from the dashboard", () => {
  it("saves a valid report with its typed parameters and chart, then runs it", async () => {
    await d.signInAs("analyst");
    const answer = await submit(BY_DECISION);
    expect(answer.redirect).toContain("/reports?report=by_decision");
    const report = await d.platform.reports.get("by_decision");
    expect(report).toMatchObject({
      builtin: false,
      title: "Decisions by outcome",
      parameters: [
        { name: "from", type: "date", label: "From", default: "today-30" },
        { name: "to", type: "date", label: "To", default: "today" },
      ],
      chart: { kind: "bar", x: "decision", y: ["transactions"] },
      updated_by: "analyst1",
    });
    const run = await runReport({ status: "idle" }, form({ report: "by_decision", "param.from": "2000-01-01" }));
    expect(run.status).toBe("ok");
    expect(run.data?.columns.map((c) => c.name)).toEqual(["decision", "transactions"]);
  });

  it("shows why SQL is refused on the SQL field, and saves nothing", async () => {
    await d.signInAs("analyst");
    const before = await saved();
    for (const sql of ["DELETE FROM decisions", "SELECT 1; SELECT 2", "SELEC decision FROM decisions"]) {
      const { state } = await submit({ name: "bad_sql", title: "Bad", sql });
      expect(state?.status, sql).toBe("error");
      expect(state?.fields?.sql?.[0], sql).toMatch(/^SQL refused: /);
    }
    expect(await saved()).toEqual(before);
  });

  it("names the failing parameter and field, in the user's language", async () => {
    await d.signInAs("analyst");
    const { state } = await submit({ ...BY_DECISION, name: "Bad Name", "parameters.1.name": "until", "parameters.0.default": "yesterday" });
    expect(state?.status).toBe("error");
    expect(state?.fields?.name).toEqual(["lowercase letters, digits and _, starting with a letter (for example amount_per_day)"]);
    const again = await submit({ ...BY_DECISION, name: "mismatch", "parameters.1.name": "until", "parameters.0.default": "yesterday" });
    expect(again.state?.fields).toEqual({
      sql: [":to is used in the SQL but not declared as a parameter"],
      "parameters.1.name": [":until is declared but not used in the SQL"],
      "parameters.0.default": ["must be a date (YYYY-MM-DD), “today” or “today-N”"],
    });
    const builtin = await submit({ ...BY_DECISION, name: "overview" });
    expect(builtin.state?.fields?.name).toEqual(["is a built-in report"]);
    expect(await saved()).not.toContain("mismatch");
  });

  it("refuses a viewer, whatever the page showed", async () => {
    await d.signInAs("viewer");
    const { state } = await submit({ ...BY_DECISION, name: "viewer_report" });
    expect(state).toMatchObject({ status: "error", message: "Your role does not allow this action." });
    expect(await saved()).not.toContain("viewer_report");
  });
});

describe("a report past its limits, on the dashboard", () => {
  it("says the report needed more memory than reports may use, in English and in French", async () => {
    await d.signInAs("analyst");
    await d.platform.reports.save(
      { name: "memory_hog", title: "Memory hog", sql: "SELECT len(list(a.amount)) AS n FROM decisions a, decisions b, decisions c" },
      { id: "analyst1" },
    );
    const run = await runReport({ status: "idle" }, form({ report: "memory_hog" }));
    expect(run).toMatchObject({
      status: "error",
      message: "The report needed more memory than reports may use and was stopped: narrow the date range or group by fewer values.",
    });
    const fr = JSON.parse(readFileSync(new URL("../messages/fr.json", import.meta.url), "utf8")) as { errors: { visible: Record<string, string> } };
    expect(fr.errors.visible.REPORT_MEMORY_LIMIT).toBe(
      "Le rapport demandait plus de mémoire que la limite permise aux rapports et a été arrêté : réduisez la période ou regroupez par moins de valeurs.",
    );
    expect(fr.errors.visible.REPORTS_BUSY).toBe("D'autres rapports sont en cours : réessayez dans un instant.");
    // The next report runs as usual.
    expect((await runReport({ status: "idle" }, form({ report: "overview" }))).status).toBe("ok");
  });
});
