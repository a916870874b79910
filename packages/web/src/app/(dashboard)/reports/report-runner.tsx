"use client";

import { toCsv } from "@fraud/core/csv";
import { useFormatter, useTranslations } from "next-intl";
import { useActionState } from "react";
import { runReport } from "@/actions/analytics";
import { FormMessage, TextField } from "@/components/fields";
import { Button, Card, EmptyState, Table, Td, Th } from "@/components/ui";
import type { ReportOutput } from "@/server/analytics";
import type { FormState } from "@/server/forms";
import { columnLabel, ReportChart, type Report } from "./report-chart";

function inputType(t: Report["parameters"][number]["type"]): string {
  return t === "date" ? "text" : t === "string" ? "text" : "number";
}

function download(name: string, output: ReportOutput) {
  const blob = new Blob(
    [
      toCsv(
        output.columns.map((c) => c.name),
        output.rows,
      ),
    ],
    { type: "text/csv;charset=utf-8" },
  );
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = `${name}.csv`;
  a.click();
  URL.revokeObjectURL(url);
}

export function ReportRunner({ report }: { report: Report }) {
  const t = useTranslations("reports");
  const format = useFormatter();
  const [state, action, pending] = useActionState<FormState<ReportOutput>, FormData>(runReport, { status: "idle" });
  const out = state.data;
  return (
    <div className="space-y-4">
      <Card title={report.title}>
        {report.description ? <p className="mb-3 text-sm text-slate-600">{report.description}</p> : null}
        <form action={action} className="flex flex-wrap items-end gap-3" aria-label={t("parameters")}>
          <input type="hidden" name="report" value={report.name} />
          {report.parameters.map((p) => (
            <TextField
              key={p.name}
              label={p.label}
              name={`param.${p.name}`}
              type={inputType(p.type)}
              defaultValue={p.default === undefined ? "" : String(p.default)}
              hint={p.description || (p.type === "date" ? "YYYY-MM-DD, today, today-30" : undefined)}
              errors={state.fields ? Object.fromEntries(Object.entries(state.fields).map(([k, v]) => [`param.${k}`, v])) : undefined}
            />
          ))}
          <Button type="submit" disabled={pending}>
            {pending ? t("running") : t("run")}
          </Button>
          {out ? (
            <Button type="button" variant="secondary" onClick={() => download(report.name, out)}>
              {t("export")}
            </Button>
          ) : null}
        </form>
        <div className="mt-3">{state.status === "error" ? <FormMessage state={state} /> : null}</div>
      </Card>
      {out ? (
        <Card
          title={t("table")}
          actions={<span className="text-xs text-slate-600">{t("rows", { count: out.row_count, ms: Math.round(out.elapsed_ms) })}</span>}
        >
          <div className="space-y-4">
            <ReportChart report={report} output={out} />
            {out.truncated ? <p className="text-xs text-amber-800">{t("truncated")}</p> : null}
            {out.rows.length === 0 ? (
              <EmptyState>{t("noRows")}</EmptyState>
            ) : (
              <Table caption={report.title}>
                <thead>
                  <tr>
                    {out.columns.map((c) => (
                      <Th key={c.name} className={c.type === "number" ? "text-right" : undefined}>
                        {columnLabel(report, c.name)}
                      </Th>
                    ))}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {out.rows.slice(0, 500).map((r, i) => (
                    <tr key={i}>
                      {r.map((cell, j) => (
                        <Td key={j} className={typeof cell === "number" ? "tabular text-right" : "text-xs"}>
                          {cell === null
                            ? "—"
                            : typeof cell === "number"
                              ? format.number(cell, { maximumFractionDigits: 4 })
                              : Array.isArray(cell)
                                ? cell.join(", ")
                                : String(cell)}
                        </Td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </div>
        </Card>
      ) : null}
    </div>
  );
}
