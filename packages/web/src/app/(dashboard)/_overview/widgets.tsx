"use client";

import type { Monitoring } from "@fraud/core";
import { useFormatter, useTranslations } from "next-intl";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Card, Stat } from "@/components/ui";
import { DECISION_COLOR } from "@/lib/decision-colors";
import { money, ms, percent } from "@/lib/format";
import { useLive } from "@/lib/live";
import type { Throughput } from "@/server/overview";

const OUTCOMES = ["APPROVED", "REVIEW", "BLOCKED"] as const;

function useThroughput(initial: Throughput) {
  return useLive(["overview", "throughput"], "/live/throughput", initial).data;
}

function useSample(initial: Monitoring.RecentSample) {
  return useLive(["overview", "sample"], "/live/sample", initial).data;
}

export function ThroughputWidget({ initial }: { initial: Throughput }) {
  const data = useThroughput(initial);
  const t = useTranslations("overview");
  const td = useTranslations("decision");
  const format = useFormatter();
  const rows = data.minutes.map((m) => ({ ...m, label: format.dateTime(new Date(`${m.minute}:00Z`), { hour: "2-digit", minute: "2-digit" }) }));
  return (
    <Card title={t("throughput")} className="lg:col-span-2">
      <div className="mb-4 grid grid-cols-2 gap-4 sm:grid-cols-3">
        <Stat
          label={t("lastMinute")}
          value={format.number(data.last_minute)}
          hint={t("average", { value: format.number(data.per_minute, { maximumFractionDigits: 1 }) })}
        />
        <Stat label={t("decisions60")} value={format.number(data.total)} />
      </div>
      <div role="img" aria-label={t("chartThroughput", { total: data.total })} className="h-52">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={rows} margin={{ top: 4, right: 8, left: -16, bottom: 0 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 11, fill: "#475569" }} interval={14} tickLine={false} axisLine={{ stroke: "#cbd5e1" }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "#475569" }} tickLine={false} axisLine={false} width={44} />
            <Tooltip />
            {OUTCOMES.map((d) => (
              <Area
                key={d}
                type="monotone"
                dataKey={d}
                name={td(d)}
                stackId="1"
                stroke={DECISION_COLOR[d]}
                fill={DECISION_COLOR[d]}
                fillOpacity={0.25}
                isAnimationActive={false}
              />
            ))}
          </AreaChart>
        </ResponsiveContainer>
      </div>
    </Card>
  );
}

export function MixWidget({ initial }: { initial: Throughput }) {
  const data = useThroughput(initial);
  const t = useTranslations("overview");
  const td = useTranslations("decision");
  const format = useFormatter();
  const total = data.total;
  return (
    <Card title={t("mix")}>
      {total === 0 ? (
        <p className="text-sm text-slate-600">{t("noData")}</p>
      ) : (
        <div className="mb-4 flex h-3 overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
          {OUTCOMES.map((d) => (
            <div key={d} style={{ width: `${(data.mix[d] / total) * 100}%`, background: DECISION_COLOR[d] }} />
          ))}
        </div>
      )}
      <ul className="space-y-2">
        {OUTCOMES.map((d) => (
          <li key={d} className="flex items-center justify-between text-sm">
            <span className="flex items-center gap-2">
              <span aria-hidden="true" className="size-2.5 rounded-full" style={{ background: DECISION_COLOR[d] }} />
              {td(d)}
            </span>
            <span className="tabular font-medium">
              {format.number(data.mix[d])} <span className="font-normal text-slate-600">· {percent(format, total ? data.mix[d] / total : null)}</span>
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}

export function BlockedWidget({ initial }: { initial: Throughput }) {
  const data = useThroughput(initial);
  const t = useTranslations("overview");
  const format = useFormatter();
  return (
    <Card title={t("blocked")}>
      <Stat label={t("blocked")} value={money(format, data.amount_blocked, data.currency)} hint={t("blockedHint", { count: data.mix.BLOCKED })} />
    </Card>
  );
}

export function ScoresWidget({ initial }: { initial: Monitoring.RecentSample }) {
  const data = useSample(initial);
  const t = useTranslations("overview");
  const rows = data.score_buckets.map((count, i) => ({ band: `${i * 10}`, label: t("bucket", { from: i * 10, to: i === 9 ? 100 : i * 10 + 9 }), count }));
  return (
    <Card title={t("scores")} actions={<span className="text-xs text-slate-600">{t("scoresHint", { count: data.size })}</span>} className="lg:col-span-2">
      <div role="img" aria-label={t("chartScores")} className="h-48">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} margin={{ top: 4, right: 8, left: -16, bottom: 0 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
            <XAxis dataKey="band" tick={{ fontSize: 11, fill: "#475569" }} tickLine={false} axisLine={{ stroke: "#cbd5e1" }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "#475569" }} tickLine={false} axisLine={false} width={44} />
            <Tooltip labelFormatter={(_, p) => String(p?.[0]?.payload?.label ?? "")} />
            <Bar dataKey="count" name={t("count")} isAnimationActive={false} radius={[3, 3, 0, 0]}>
              {rows.map((r, i) => (
                <Cell key={r.band} fill={i >= 8 ? DECISION_COLOR.BLOCKED : i >= 5 ? DECISION_COLOR.REVIEW : "#64748b"} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
    </Card>
  );
}

export function LatencyWidget({ initial }: { initial: Monitoring.RecentSample }) {
  const data = useSample(initial);
  const t = useTranslations("overview");
  const format = useFormatter();
  return (
    <Card title={t("latency")} actions={<span className="text-xs text-slate-600">{t("latencyHint", { count: data.size })}</span>}>
      <div className="grid grid-cols-2 gap-4">
        <Stat label={t("p50")} value={ms(format, data.latency_p50_ms)} />
        <Stat label={t("p99")} value={ms(format, data.latency_p99_ms)} />
      </div>
    </Card>
  );
}
