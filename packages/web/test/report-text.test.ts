import { Report } from "@fraud/core";
import { LocalLakeWriter, OutboxWorker } from "@fraud/core/local";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SavedReport } from "@/server/analytics";
import { openDashboard, type Dashboard } from "./support.ts";

type Texts = {
  builtinReports: Record<string, { title: string; description: string }>;
  reportParameters: Record<string, { label: string; description: string }>;
  reportColumns: Record<string, string>;
};
const read = (lang: "fr" | "en") => JSON.parse(readFileSync(new URL(`../messages/${lang}.json`, import.meta.url), "utf8")) as Texts;
const LANGUAGES = { fr: read("fr"), en: read("en") };

let language: keyof typeof LANGUAGES = "fr";
vi.mock("server-only", () => ({}));
vi.mock("next-intl/server", () => ({ getMessages: async () => LANGUAGES[language] }));

const { shownReport } = await import("@/server/report-text");

const asSaved = (r: (typeof Report.BUILTIN_REPORTS)[number]): SavedReport => ({ ...r, builtin: true });

describe("built-in reports in the user's language", () => {
  it("shows the decisions-per-day report, its parameters and its series in French", async () => {
    language = "fr";
    const report = await shownReport(asSaved(Report.BUILTIN_REPORTS.find((r) => r.name === "decisions_per_day")!));
    expect(report.title).toBe("Décisions par jour");
    expect(report.parameters.map((p) => p.label)).toEqual(["Du (jour UTC)", "Au (jour UTC)"]);
    expect(report.chart.y.map((c) => report.columnLabels[c])).toEqual(["Approuvées", "À revoir", "Bloquées"]);
  });

  it("shows the same report in English", async () => {
    language = "en";
    const report = await shownReport(asSaved(Report.BUILTIN_REPORTS.find((r) => r.name === "decisions_per_day")!));
    expect(report.title).toBe("Decisions per day");
    expect(report.chart.y.map((c) => report.columnLabels[c])).toEqual(["Approved", "To review", "Blocked"]);
  });

  it("shows an analyst's saved report as its author wrote it", async () => {
    language = "fr";
    const saved: SavedReport = {
      name: "mine",
      title: "Daily totals",
      description: "Mine",
      parameters: [{ name: "from", type: "date", label: "Start", description: "" }],
      chart: { kind: "bar", x: "day", y: ["blocked"] },
      sql: "SELECT 1",
      builtin: false,
    };
    expect(await shownReport(saved)).toEqual({ ...saved, columnLabels: {} });
  });

  it("has every built-in report's title, description, parameters and chart columns in French and in English", () => {
    for (const [lang, m] of Object.entries(LANGUAGES)) {
      for (const r of Report.BUILTIN_REPORTS) {
        expect(m.builtinReports[r.name]?.title, `${lang} ${r.name}`).toBeTruthy();
        expect(m.builtinReports[r.name]?.description, `${lang} ${r.name}`).toBeTruthy();
        for (const p of r.parameters) expect(m.reportParameters[p.name]?.label, `${lang} ${r.name} ${p.name}`).toBeTruthy();
        for (const c of [...(r.chart.x ? [r.chart.x] : []), ...r.chart.y]) expect(m.reportColumns[c], `${lang} ${r.name} ${c}`).toBeTruthy();
      }
    }
  });
});

describe("built-in reports' columns", () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await openDashboard({ reports: { memoryMb: 64 } });
    await d.platform.scoring.submit({
      transaction_id: "text-1",
      user_id: "user_001",
      amount: 9000,
      merchant_id: "m1",
      location: "Douala, CM",
      device_id: "d1",
    });
    const lake = await LocalLakeWriter.open(d.platform.lakeDir);
    await new OutboxWorker(d.platform.db, lake, { lakeFlushSeconds: 0 }).drain();
    lake.close();
  }, 60_000);
  afterAll(() => d?.close());

  it("each have a label in French and in English", async () => {
    for (const r of Report.BUILTIN_REPORTS) {
      const out = await d.platform.reports!.run(r.name, {});
      for (const c of out.columns)
        for (const [lang, m] of Object.entries(LANGUAGES)) expect(m.reportColumns[c.name], `${lang} ${r.name} ${c.name}`).toBeTruthy();
    }
  }, 120_000);
});
