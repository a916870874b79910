import { ALERTING_DECISIONS, can, precision, type CaseQuery } from "@fraud/core";
import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { QuickCaseActions } from "@/components/case-actions";
import { DecisionBadge } from "@/components/decision-badge";
import { SelectField } from "@/components/fields";
import { Badge, Card, EmptyState, PageHeader, Stat, Table, Td, Th, buttonClass } from "@/components/ui";
import { money, percent, when } from "@/lib/format";
import { requireUser } from "@/server/auth";
import { reviewQueue } from "@/server/review";
import { platform } from "@/server/runtime";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("review"))("title") };
}

type Search = { status?: string; decision?: string; mine?: string };

export default async function ReviewPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requireUser();
  const t = await getTranslations("review");
  const td = await getTranslations("decision");
  const tq = await getTranslations("decisions");
  const format = await getFormatter();
  const sp = await searchParams;
  const status: CaseQuery["status"] = sp.status === "closed" || sp.status === "all" ? sp.status : "open";
  const decision = ALERTING_DECISIONS.find((d) => d === sp.decision);
  const p = await platform();
  const [cases, stats] = await Promise.all([
    reviewQueue(user, { status, decision, assignee: sp.mine === "1" ? user.username : undefined, limit: 100 }),
    p.reviews.labelStats(),
  ]);
  const canWork = can(user.role, "review.work");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="mb-4 grid gap-4 sm:grid-cols-2">
        {(["BLOCKED", "REVIEW"] as const).map((d) => {
          const c = stats.by_decision[d];
          return (
            <Card key={d}>
              <Stat label={`${t("precision")} · ${td(d)}`} value={percent(format, precision(c))} hint={`${t("labelled", { count: c.fraud + c.legitimate })} · ${t("precisionHint")}`} />
            </Card>
          );
        })}
      </div>
      <Card className="mb-4">
        <form method="get" className="grid grid-cols-2 gap-3 sm:grid-cols-4 sm:items-end">
          <SelectField label={t("show")} name="status" defaultValue={status}>
            <option value="open">{t("openCases")}</option>
            <option value="closed">{t("closedCases")}</option>
            <option value="all">{t("allCases")}</option>
          </SelectField>
          <SelectField label={t("decision")} name="decision" defaultValue={decision ?? ""}>
            <option value="">{t("any")}</option>
            <option value="BLOCKED">{td("BLOCKED")}</option>
            <option value="REVIEW">{td("REVIEW")}</option>
          </SelectField>
          <label className="flex items-center gap-2 self-center text-sm text-slate-800 sm:mt-6">
            <input type="checkbox" name="mine" value="1" defaultChecked={sp.mine === "1"} className="size-4 rounded border-slate-400" />
            {t("mine")}
          </label>
          <div>
            <button type="submit" className={buttonClass("primary")}>
              {tq("apply")}
            </button>
          </div>
        </form>
      </Card>
      <Card bodyClassName="p-0 sm:p-2">
        {cases.length === 0 ? (
          <div className="p-4">
            <EmptyState>{t("empty")}</EmptyState>
          </div>
        ) : (
          <>
          {/* On a phone: one card per case, with its actions under it. */}
          <ul className="divide-y divide-slate-100 sm:hidden" aria-label={t("title")}>
            {cases.map((c) => (
              <li key={c.transaction_id} className="space-y-2 px-4 py-3">
                <Link href={`/transactions/${encodeURIComponent(c.transaction_id)}`} className="block">
                  <span className="flex items-center justify-between gap-2">
                    <span className="flex items-center gap-1.5">
                      <DecisionBadge decision={c.decision} />
                      <Badge tone={c.status === "closed" ? "gray" : c.status === "assigned" ? "blue" : "amber"}>{t(`statuses.${c.status}`)}</Badge>
                    </span>
                    <span className="tabular text-sm font-semibold">{money(format, c.amount, c.currency)}</span>
                  </span>
                  <span className="mt-1 flex justify-between gap-2 text-xs text-slate-600">
                    <span className="truncate">
                      {c.user_id} · <span className="font-mono">{c.transaction_id}</span>
                    </span>
                    <span className="tabular shrink-0">{when(format, c.decided_at)}</span>
                  </span>
                </Link>
                {canWork && c.status !== "closed" ? <QuickCaseActions transactionId={c.transaction_id} assignee={c.assignee} me={user.username} /> : null}
              </li>
            ))}
          </ul>
          <Table caption={t("title")} className="hidden sm:block">
            <thead>
              <tr>
                <Th>{tq("time")}</Th>
                <Th>{tq("transaction")}</Th>
                <Th>{tq("user")}</Th>
                <Th className="text-right">{tq("amount")}</Th>
                <Th>{t("decision")}</Th>
                <Th className="hidden lg:table-cell">{tq("rules")}</Th>
                <Th>{t("status")}</Th>
                {canWork ? <Th>{t("actions")}</Th> : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {cases.map((c) => (
                <tr key={c.transaction_id} className="hover:bg-slate-50">
                  <Td className="tabular whitespace-nowrap text-slate-600">{when(format, c.decided_at)}</Td>
                  <Td className="max-w-[12rem] truncate font-mono text-xs">
                    <Link href={`/transactions/${encodeURIComponent(c.transaction_id)}`} className="text-brand-700 hover:underline">
                      {c.transaction_id}
                    </Link>
                  </Td>
                  <Td>{c.user_id}</Td>
                  <Td className="tabular text-right whitespace-nowrap">{money(format, c.amount, c.currency)}</Td>
                  <Td>
                    <span className="flex items-center gap-1.5">
                      <DecisionBadge decision={c.decision} />
                      <span className="tabular text-xs text-slate-600">{c.score}</span>
                    </span>
                  </Td>
                  <Td className="hidden text-xs text-slate-600 lg:table-cell">{c.rules.join(", ")}</Td>
                  <Td className="whitespace-nowrap">
                    <span className="flex flex-col items-start gap-1">
                      <Badge tone={c.status === "closed" ? "gray" : c.status === "assigned" ? "blue" : "amber"}>{t(`statuses.${c.status}`)}</Badge>
                      {c.label ? <Badge tone={c.label === "fraud" ? "red" : "green"}>{t(`labels.${c.label}`)}</Badge> : null}
                      {c.assignee ? <span className="text-xs text-slate-600">{c.assignee}</span> : null}
                    </span>
                  </Td>
                  {canWork ? (
                    <Td>{c.status !== "closed" ? <QuickCaseActions transactionId={c.transaction_id} assignee={c.assignee} me={user.username} /> : null}</Td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
          </>
        )}
      </Card>
    </>
  );
}
