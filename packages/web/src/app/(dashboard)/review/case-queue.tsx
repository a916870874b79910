import type { Review, User } from "@fraud/core";
import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { QuickCaseActions } from "@/components/case-actions";
import { DecisionBadge } from "@/components/decision-badge";
import { Badge, Card, EmptyState, Table, Td, Th, type Tone } from "@/components/ui";
import { money, when } from "@/lib/format";

const STATUS_TONE: Record<Review.Case["status"], Tone> = { open: "amber", assigned: "blue", closed: "gray" };

/** The cases in the queue: one card per case on a phone, a table on wider screens. */
export async function CaseQueue({ cases, user, canWork }: { cases: Review.Case[]; user: Pick<User.User, "username">; canWork: boolean }) {
  const t = await getTranslations("review");
  const tq = await getTranslations("decisions");
  const format = await getFormatter();
  return (
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
                      <Badge tone={STATUS_TONE[c.status]}>{t(`statuses.${c.status}`)}</Badge>
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
                      <Badge tone={STATUS_TONE[c.status]}>{t(`statuses.${c.status}`)}</Badge>
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
  );
}
