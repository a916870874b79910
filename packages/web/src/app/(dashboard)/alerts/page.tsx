import { User } from "@fraud/core";
import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { acknowledgeAlert } from "@/actions/alerts";
import { ActionForm, SubmitButton } from "@/components/action-form";
import { DecisionBadge } from "@/components/decision-badge";
import { Badge, PageHeader, TableCard, Td, Th, cx } from "@/components/ui";
import { money, when } from "@/lib/format";
import { requireUser } from "@/server/auth";
import { alertInbox } from "@/server/alerts";
import { runtime } from "@/server/runtime";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("alerts"))("title") };
}

export default async function AlertsPage({ searchParams }: { searchParams: Promise<{ show?: string }> }) {
  const user = await requireUser();
  const t = await getTranslations("alerts");
  const tq = await getTranslations("decisions");
  const format = await getFormatter();
  const all = (await searchParams).show === "all";
  const rt = await runtime();
  const alerts = await alertInbox(user, { status: all ? undefined : "open", limit: 200 });
  const canAck = User.can(user.role, "review.work");
  const currency = rt.env.settings.currency;
  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          <nav aria-label={t("show")} className="flex gap-1 rounded-lg bg-slate-200/60 p-1 text-sm">
            {[
              ["open", "/alerts"],
              ["all", "/alerts?show=all"],
            ].map(([key, href]) => (
              <Link
                key={key}
                href={href!}
                aria-current={(key === "all") === all ? "page" : undefined}
                className={cx("rounded-md px-3 py-1", (key === "all") === all ? "bg-white font-medium shadow-sm" : "text-slate-700")}
              >
                {t(key as "open" | "all")}
              </Link>
            ))}
          </nav>
        }
      />
      <TableCard caption={t("list")} empty={t("empty")} isEmpty={alerts.length === 0}>
        <thead>
          <tr>
            <Th>{t("raised")}</Th>
            <Th>{tq("transaction")}</Th>
            <Th>{tq("user")}</Th>
            <Th className="text-right">{tq("amount")}</Th>
            <Th>{tq("decision")}</Th>
            <Th className="hidden md:table-cell">{t("rules")}</Th>
            <Th>{t("status")}</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {alerts.map((a) => (
            <tr key={a.id}>
              <Td className="tabular whitespace-nowrap text-slate-600">{when(format, a.created_at)}</Td>
              <Td className="max-w-[12rem] truncate font-mono text-xs">
                <Link href={`/transactions/${encodeURIComponent(a.transaction_id)}`} className="text-brand-700 hover:underline">
                  {a.transaction_id}
                </Link>
              </Td>
              <Td>{a.user_id}</Td>
              <Td className="tabular text-right whitespace-nowrap">{money(format, a.amount, currency)}</Td>
              <Td>
                <DecisionBadge decision={a.decision} />
              </Td>
              <Td className="hidden text-xs text-slate-600 md:table-cell">{a.rules.join(", ")}</Td>
              <Td>
                {a.status === "open" && canAck ? (
                  <ActionForm action={acknowledgeAlert} hidden={{ id: String(a.id) }} showMessage={false}>
                    <SubmitButton variant="secondary" size="sm">
                      {t("acknowledge")}
                    </SubmitButton>
                  </ActionForm>
                ) : (
                  <Badge tone={a.status === "open" ? "amber" : "gray"}>{t(`statuses.${a.status}`)}</Badge>
                )}
              </Td>
            </tr>
          ))}
        </tbody>
      </TableCard>
    </>
  );
}
