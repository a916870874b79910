import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { User } from "@fraud/core";
import { Alert, Badge, Card, EmptyState, PageHeader, buttonClass, cx } from "@/components/ui";
import { reportService } from "@/server/analytics";
import { requireUser } from "@/server/auth";
import { shownReport } from "@/server/report-text";
import { ReportRunner } from "./report-runner";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("reports"))("title") };
}

export default async function ReportsPage({ searchParams }: { searchParams: Promise<{ report?: string }> }) {
  const user = await requireUser();
  const mayWrite = User.can(user.role, "report.save");
  const t = await getTranslations("reports");
  const service = await reportService();
  if (!service) {
    return (
      <>
        <PageHeader title={t("title")} description={t("description")} />
        <Alert tone="amber">{t("unavailable")}</Alert>
      </>
    );
  }
  const reports = await Promise.all((await service.list()).map(shownReport));
  const wanted = (await searchParams).report;
  const selected = reports.find((r) => r.name === wanted) ?? reports[0];
  const newReport = mayWrite ? (
    <Link href="/reports/new" className={buttonClass("primary")}>
      {t("new")}
    </Link>
  ) : undefined;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} actions={newReport} />
      {reports.length === 0 || !selected ? (
        <EmptyState>{t("empty")}</EmptyState>
      ) : (
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-4">
          <Card title={t("choose")} bodyClassName="p-2">
            <nav aria-label={t("choose")}>
              <ul className="space-y-0.5">
                {reports.map((r) => (
                  <li key={r.name}>
                    <Link
                      href={`/reports?report=${encodeURIComponent(r.name)}`}
                      aria-current={r.name === selected.name ? "page" : undefined}
                      className={cx(
                        "block rounded-md px-3 py-2 text-sm",
                        r.name === selected.name ? "bg-brand-50 font-medium text-brand-800" : "text-slate-700 hover:bg-slate-50",
                      )}
                    >
                      {r.title} {r.builtin ? <Badge tone="gray">{t("builtin")}</Badge> : null}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          </Card>
          <div className="lg:col-span-3">
            {mayWrite ? (
              <p className="mb-3 text-right">
                <Link href={`/reports/new?report=${encodeURIComponent(selected.name)}`} className={buttonClass("secondary", "sm")}>
                  {selected.builtin ? t("copy") : t("edit")}
                </Link>
              </p>
            ) : null}
            <ReportRunner
              key={selected.name}
              report={{
                name: selected.name,
                title: selected.title,
                description: selected.description,
                parameters: selected.parameters,
                chart: selected.chart,
                builtin: selected.builtin,
                columnLabels: selected.columnLabels,
              }}
            />
          </div>
        </div>
      )}
    </>
  );
}
