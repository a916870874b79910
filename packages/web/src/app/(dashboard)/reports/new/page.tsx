import { User } from "@fraud/core";
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Alert, PageHeader } from "@/components/ui";
import { reportService } from "@/server/analytics";
import { requireUser } from "@/server/auth";
import { shownReport } from "@/server/report-text";
import { ReportEditor, type ReportDraft } from "../report-editor";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("reportEditor"))("newTitle") };
}

/** What a new report starts from: a working query over the last 30 days, to change. */
const starter = (from: string, to: string): ReportDraft => ({
  name: "",
  title: "",
  description: "",
  parameters: [
    { name: "from", type: "date", label: from, description: "", default: "today-30" },
    { name: "to", type: "date", label: to, description: "", default: "today" },
  ],
  sql: `SELECT decision, count(*) AS transactions, round(sum(amount), 2) AS amount
FROM decisions
WHERE dt BETWEEN :from AND :to
GROUP BY decision
ORDER BY transactions DESC`,
  chart: { kind: "bar", x: "decision", y: "transactions" },
});

/** A new report, or `?report=name` to change a saved one (or start from a built-in one's SQL). */
export default async function NewReportPage({ searchParams }: { searchParams: Promise<{ report?: string }> }) {
  const user = await requireUser();
  const t = await getTranslations("reportEditor");
  const service = await reportService();
  const wanted = (await searchParams).report;
  const found = service && typeof wanted === "string" ? await service.get(wanted) : undefined;
  // A copy of a built-in report starts from its text in the user's language.
  const from = found ? await shownReport(found) : undefined;
  const initial: ReportDraft = from
    ? {
        name: from.builtin ? "" : from.name,
        title: from.builtin ? "" : from.title,
        description: from.description,
        sql: from.sql,
        parameters: from.parameters.map((p) => ({ ...p, default: p.default === undefined ? "" : String(p.default) })),
        chart: { kind: from.chart.kind, x: from.chart.x ?? "", y: from.chart.y.join(", ") },
      }
    : starter(t("starterFrom"), t("starterTo"));
  return (
    <>
      <PageHeader title={from && !from.builtin ? t("editTitle", { title: from.title }) : t("newTitle")} description={t("description")} />
      {!service ? (
        <Alert tone="amber">{(await getTranslations("reports"))("unavailable")}</Alert>
      ) : User.can(user.role, "report.save") ? (
        <ReportEditor initial={initial} />
      ) : (
        <Alert tone="amber">{t("readOnly")}</Alert>
      )}
    </>
  );
}
