"use client";

import { toCsv } from "@fraud/core/csv";
import { useFormatter, useTranslations } from "next-intl";
import { useActionState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { runReport } from "@/actions/analytics";
import { FormMessage, TextField } from "@/components/fields";
import { Button, Card, EmptyState, Stat, Table, Td, Th } from "@/components/ui";
import { seriesColor } from "@/lib/decision-colors";
import type { ReportOutput } from "@/server/analytics";
import type { FormState } from "@/server/forms";
import type { ShownReport } from "@/server/report-text";

type Report = Omit<ShownReport, "sql">;

/** A column's label: an analyst's column may be named "constructor", which no label table owns. */
function columnLabel(report: Report, column: string): string {
  return Object.hasOwn(report.columnLabels, column) ? report.columnLabels[column]! : column;
}

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

function Chart({ report, output }: { report: Report; output: ReportOutput }) {
  const t = useTranslations("reports");
  const format = useFormatter();
  const { kind, x, y } = report.chart;
  if (kind === "table" || output.rows.length === 0) return null;
  const index = (name: string) => output.columns.findIndex((c) => c.name === name);
  if (kind === "stat") {
    const row = output.rows[0] ?? [];
    const cols = y.length ? y : output.columns.map((c) => c.name);
    return (
      <div className="grid grid-cols-2 gap-4 sm:grid-cols-4">
        {cols.map((c) => {
          const v = row[index(c)];
          return (
            <Stat key={c} label={columnLabel(report, c)} value={typeof v === "number" ? format.number(v, { maximumFractionDigits: 2 }) : String(v ?? "—")} />
          );
        })}
      </div>
    );
  }
  const xi = x ? index(x) : 0;
  const series = y.length ? y : output.columns.filter((_, i) => i !== xi && output.columns[i]?.type === "number").map((c) => c.name);
  const data = output.rows.map((r) => Object.fromEntries([["x", String(r[xi] ?? "")], ...series.map((s) => [s, Number(r[index(s)] ?? 0)])]));
  const common = { data, margin: { top: 4, right: 8, left: 0, bottom: 0 }, accessibilityLayer: false } as const;
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
      <XAxis dataKey="x" tick={{ fontSize: 11, fill: "#475569" }} tickLine={false} />
      <YAxis tick={{ fontSize: 11, fill: "#475569" }} tickLine={false} axisLine={false} width={56} />
      <Tooltip />
      <Legend wrapperStyle={{ fontSize: 12 }} />
    </>
  );
  return (
    <div role="img" aria-label={t("chart", { title: report.title })} className="h-64">
      <ResponsiveContainer width="100%" height="100%">
        {kind === "line" ? (
          <LineChart {...common}>
            {axes}
            {series.map((s, i) => (
              <Line key={s} dataKey={s} name={columnLabel(report, s)} stroke={seriesColor(s, i)} dot={false} strokeWidth={2} isAnimationActive={false} />
            ))}
          </LineChart>
        ) : (
          <BarChart {...common}>
            {axes}
            {series.map((s, i) => (
              <Bar
                key={s}
                dataKey={s}
                name={columnLabel(report, s)}
                fill={seriesColor(s, i)}
                stackId={kind === "stacked_bar" ? "1" : undefined}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        )}
      </ResponsiveContainer>
    </div>
  );
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
            <Chart report={report} output={out} />
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
