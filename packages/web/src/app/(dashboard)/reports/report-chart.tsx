"use client";

import { useFormatter, useTranslations } from "next-intl";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Stat } from "@/components/ui";
import { seriesColor } from "@/lib/decision-colors";
import type { ReportOutput } from "@/server/analytics";
import type { ShownReport } from "@/server/report-text";

export type Report = Omit<ShownReport, "sql">;

/** A column's label: an analyst's column may be named "constructor", which no label table owns. */
export function columnLabel(report: Report, column: string): string {
  return Object.hasOwn(report.columnLabels, column) ? report.columnLabels[column]! : column;
}

/** A report's chart, as its definition asks (line, bars, stacked bars, figures); nothing for a table or no rows. */
export function ReportChart({ report, output }: { report: Report; output: ReportOutput }) {
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
