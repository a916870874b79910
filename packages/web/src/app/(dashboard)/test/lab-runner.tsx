"use client";

import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import { runLabBatch, type LabRow } from "@/actions/test";
import { DecisionBadge } from "@/components/decision-badge";
import { Alert, Button, Card, Table, Td, Th } from "@/components/ui";
import { money } from "@/lib/format";

const BATCH = 10;
const LABELS = ["normal", "suspicious", "new_customer"] as const;
const OUTCOMES = ["APPROVED", "REVIEW", "BLOCKED"] as const;

export function LabRunner() {
  const t = useTranslations("test");
  const td = useTranslations("decision");
  const format = useFormatter();
  const [rows, setRows] = useState<LabRow[]>([]);
  const [total, setTotal] = useState(50);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setRunning(true);
    setError(null);
    setRows([]);
    const runId = `demo-${Date.now().toString(36)}`;
    const end = new Date().toISOString();
    let size = total;
    for (let from = 0; from < size; from += BATCH) {
      const result = await runLabBatch({ runId, end, from, to: from + BATCH });
      if (result.status !== "ok" || !result.data) {
        setError(result.message ?? "error");
        break;
      }
      size = result.data.total;
      setTotal(size);
      const batch = result.data.rows;
      setRows((r) => [...r, ...batch]);
    }
    setRunning(false);
  }

  const counts = (label: string, outcome: string) => rows.filter((r) => r.label === label && r.decision === outcome).length;
  return (
    <Card title={t("scenario")}>
      <p className="mb-3 text-sm text-slate-600">{t("scenarioDescription")}</p>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="button" onClick={run} disabled={running}>
          {running ? t("running") : t("runScenario")}
        </Button>
        {running || rows.length > 0 ? (
          <div className="flex min-w-48 flex-1 items-center gap-2">
            <div
              role="progressbar"
              aria-label={t("progress")}
              aria-valuemin={0}
              aria-valuemax={total}
              aria-valuenow={rows.length}
              className="h-2 flex-1 rounded-full bg-slate-100"
            >
              <div className="h-2 rounded-full bg-brand-600 transition-all" style={{ width: `${(rows.length / total) * 100}%` }} />
            </div>
            <span className="tabular text-xs text-slate-600">{t("progressText", { done: rows.length, total })}</span>
          </div>
        ) : null}
      </div>
      {error ? (
        <div className="mt-3">
          <Alert tone="red" role="alert">
            {t("scenarioError", { message: error })}
          </Alert>
        </div>
      ) : null}
      {rows.length > 0 ? (
        <div className="mt-4 space-y-4">
          <Table caption={t("summary")}>
            <thead>
              <tr>
                <Th>{t("kind")}</Th>
                {OUTCOMES.map((o) => (
                  <Th key={o} className="text-right">
                    {td(o)}
                  </Th>
                ))}
                <Th className="text-right">{t("count")}</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {LABELS.map((l) => (
                <tr key={l}>
                  <Td>{t(`preset.${l}`)}</Td>
                  {OUTCOMES.map((o) => (
                    <Td key={o} className="tabular text-right">
                      {counts(l, o)}
                    </Td>
                  ))}
                  <Td className="tabular text-right font-medium">{rows.filter((r) => r.label === l).length}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          <details>
            <summary className="cursor-pointer text-sm font-medium text-slate-700">{t("allRows")}</summary>
            <Table caption={t("allRows")} className="mt-2">
              <thead>
                <tr>
                  <Th>#</Th>
                  <Th>{t("kind")}</Th>
                  <Th>{t("fields.user_id")}</Th>
                  <Th className="text-right">{t("fields.amount")}</Th>
                  <Th>{t("result")}</Th>
                  <Th className="text-right">Score</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((r) => (
                  <tr key={r.transaction_id}>
                    <Td className="tabular">
                      <Link href={`/transactions/${encodeURIComponent(r.transaction_id)}`} className="text-brand-700 hover:underline">
                        {r.index + 1}
                      </Link>
                    </Td>
                    <Td>{t(`preset.${r.label}`)}</Td>
                    <Td>{r.user_id}</Td>
                    <Td className="tabular text-right">{money(format, r.amount, r.currency)}</Td>
                    <Td>
                      <DecisionBadge decision={r.decision} />
                    </Td>
                    <Td className="tabular text-right">{r.score}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </details>
        </div>
      ) : null}
    </Card>
  );
}
