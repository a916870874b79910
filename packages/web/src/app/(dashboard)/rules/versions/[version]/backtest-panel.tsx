"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useActionState } from "react";
import { runBacktest } from "@/actions/analytics";
import { FormMessage, TextField } from "@/components/fields";
import { Button, Card, Table, Td, Th } from "@/components/ui";
import type { FormState } from "@/server/forms";
import type { BacktestOutput } from "@/server/analytics";

const OUTCOMES = ["APPROVED", "REVIEW", "BLOCKED"] as const;

export function BacktestPanel({ version, canRun }: { version: number; canRun: boolean }) {
  const t = useTranslations("backtest");
  const td = useTranslations("decision");
  const format = useFormatter();
  const [state, action, pending] = useActionState<FormState<BacktestOutput>, FormData>(runBacktest, { status: "idle" });
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  const r = state.data;
  return (
    <Card title={t("title")}>
      <p className="mb-3 text-sm text-slate-600">{t("description")}</p>
      {canRun ? (
        <form action={action} className="flex flex-wrap items-end gap-3">
          <input type="hidden" name="version" value={version} />
          <TextField label={t("from")} name="from" type="date" defaultValue={monthAgo} errors={state.fields} />
          <TextField label={t("to")} name="to" type="date" defaultValue={today} errors={state.fields} />
          <Button type="submit" disabled={pending}>
            {pending ? t("running") : t("run")}
          </Button>
        </form>
      ) : null}
      <div className="mt-3">{state.status === "error" ? <FormMessage state={state} /> : null}</div>
      {r ? (
        <div className="mt-4 space-y-4" role="status">
          <p className="text-sm text-slate-700">{t("transactions", { count: r.transactions, ms: Math.round(r.elapsed_ms) })}</p>
          {r.fallbacks > 0 ? <p className="text-sm text-amber-800">{t("fallbacks", { count: r.fallbacks })}</p> : null}
          <Table caption={t("title")}>
            <thead>
              <tr>
                <Th>{t("outcome")}</Th>
                <Th className="text-right">{t("recorded")}</Th>
                <Th className="text-right">{t("draft")}</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {OUTCOMES.map((o) => (
                <tr key={o}>
                  <Td>{td(o)}</Td>
                  <Td className="tabular text-right">{format.number(r.outcomes.recorded[o])}</Td>
                  <Td className="tabular text-right font-medium">{format.number(r.outcomes.draft[o])}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          <div>
            <h3 className="mb-1 text-sm font-semibold">{t("changes")}</h3>
            {r.changes.length === 0 ? (
              <p className="text-sm text-slate-600">{t("noChange")}</p>
            ) : (
              <ul className="space-y-1 text-sm">
                {r.changes.map((c) => (
                  <li key={`${c.from}-${c.to}`}>
                    {td(c.from as (typeof OUTCOMES)[number])} → {td(c.to as (typeof OUTCOMES)[number])}:{" "}
                    <span className="tabular font-medium">{format.number(c.count)}</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      ) : null}
    </Card>
  );
}
