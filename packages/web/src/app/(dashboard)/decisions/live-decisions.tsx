"use client";

import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { useEffect, useRef } from "react";
import { DecisionBadge } from "@/components/decision-badge";
import { EmptyState, Table, Td, Th, cx } from "@/components/ui";
import { money, when } from "@/lib/format";
import { useLive } from "@/lib/live";
import type { DecisionListRow } from "@/server/decisions";

export function LiveDecisions({ initial, query }: { initial: DecisionListRow[]; query: string }) {
  const t = useTranslations("decisions");
  const format = useFormatter();
  const { data } = useLive(["decisions", query], `/live/decisions${query ? `?${query}` : ""}`, initial);
  // Rows that arrived after the first render are highlighted for a moment.
  const seen = useRef<Set<string> | null>(null);
  seen.current ??= new Set(initial.map((r) => r.transaction_id));
  const fresh = new Set(data.filter((r) => !seen.current!.has(r.transaction_id)).map((r) => r.transaction_id));
  useEffect(() => {
    const timer = setTimeout(() => data.forEach((r) => seen.current!.add(r.transaction_id)), 2_000);
    return () => clearTimeout(timer);
  }, [data]);
  if (data.length === 0) return <EmptyState>{t("none")}</EmptyState>;
  return (
    <>
      {/* On a phone: one card per decision, the outcome first. */}
      <ul className="divide-y divide-slate-100 sm:hidden" aria-label={t("list")}>
        {data.map((r) => (
          <li key={r.transaction_id} className={cx("px-4 py-3", fresh.has(r.transaction_id) && "bg-brand-50")}>
            <Link href={`/transactions/${encodeURIComponent(r.transaction_id)}`} className="block">
              <span className="flex items-center justify-between gap-2">
                <DecisionBadge decision={r.decision} />
                <span className="tabular text-sm font-semibold text-slate-900">{money(format, r.amount, r.currency)}</span>
              </span>
              <span className="mt-1 flex items-center justify-between gap-2 text-xs text-slate-600">
                <span className="truncate">
                  {r.customer.label} · <span className="font-mono">{r.transaction_id}</span>
                </span>
                <span className="tabular shrink-0">{when(format, r.decided_at)}</span>
              </span>
              {r.rules.length ? <span className="mt-1 block truncate text-xs text-slate-600">{r.rules.join(", ")}</span> : null}
            </Link>
          </li>
        ))}
      </ul>
      <Table caption={t("list")} className="hidden sm:block">
        <thead>
          <tr>
            <Th>{t("time")}</Th>
            <Th>{t("transaction")}</Th>
            <Th>{t("user")}</Th>
            <Th className="text-right">{t("amount")}</Th>
            <Th>{t("decision")}</Th>
            <Th className="text-right">{t("score")}</Th>
            <Th className="hidden md:table-cell">{t("rules")}</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {data.map((r) => (
            <tr key={r.transaction_id} className={cx("transition-colors", fresh.has(r.transaction_id) ? "bg-brand-50" : "hover:bg-slate-50")}>
              <Td className="tabular whitespace-nowrap text-slate-600">{when(format, r.decided_at)}</Td>
              <Td className="max-w-[14rem] truncate font-mono text-xs">
                <Link href={`/transactions/${encodeURIComponent(r.transaction_id)}`} className="text-brand-700 underline-offset-2 hover:underline">
                  {r.transaction_id}
                </Link>
              </Td>
              <Td className="whitespace-nowrap">
                <Link href={r.customer.href} className="hover:underline">
                  {r.customer.label}
                </Link>
              </Td>
              <Td className="tabular text-right whitespace-nowrap">{money(format, r.amount, r.currency)}</Td>
              <Td>
                <DecisionBadge decision={r.decision} />
              </Td>
              <Td className="tabular text-right">{r.score}</Td>
              <Td className="hidden text-xs text-slate-600 md:table-cell">{r.rules.join(", ") || "—"}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </>
  );
}
