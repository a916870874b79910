import { can } from "@fraud/core";
import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CasePanel } from "@/components/case-actions";
import { DecisionBadge } from "@/components/decision-badge";
import { KeyValues, showValue } from "@/components/key-values";
import { Alert, Badge, Card, Code, PageHeader, Table, Td, Th } from "@/components/ui";
import { money, ms, when } from "@/lib/format";
import { requireUser } from "@/server/auth";
import { transactionDetail } from "@/server/decisions";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: (await getTranslations("transaction"))("title", { id: decodeURIComponent(id) }) };
}

export default async function TransactionPage({ params }: Props) {
  const user = await requireUser();
  const id = decodeURIComponent((await params).id);
  const detail = await transactionDetail(user, id);
  if (!detail) notFound();
  const { decision: d, customer, reviewCase, history, alerts, activeBlocks, thresholds } = detail;
  const t = await getTranslations("transaction");
  const tr = await getTranslations("review");
  const ta = await getTranslations("alerts");
  const format = await getFormatter();
  const tx = d.transaction;
  const profileKeys = ["risk_level", "avg_transaction_30d", "transaction_count_30d", "last_device_id", "last_location", "last_transaction_at", "account_created", "is_new_customer"] as const;
  return (
    <>
      <nav aria-label="breadcrumb" className="mb-2 text-sm">
        <Link href={d.test ? "/test" : "/decisions"} className="text-brand-700 hover:underline">
          ← {d.test ? t("backToTest") : t("back")}
        </Link>
      </nav>
      <PageHeader
        title={t("title", { id })}
        actions={
          <>
            {d.test ? <Badge tone="blue">{t("test")}</Badge> : null}
            <DecisionBadge decision={d.decision} />
            <Badge tone="gray">
              {t("score")} {d.score}
            </Badge>
          </>
        }
      />
      {d.test ? (
        <div className="mb-4">
          <Alert tone="blue">{t("testNotice")}</Alert>
        </div>
      ) : null}
      <div className="grid items-start gap-4 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <Card title={t("summary")}>
            <KeyValues
              columns={3}
              items={[
                [t("amount"), <span key="a" className="tabular font-semibold">{money(format, tx.amount, tx.currency)}</span>],
                [t("customer"), <Link key="c" href={customer.href} className="text-brand-700 hover:underline">{customer.label}</Link>],
                [t("decidedAt"), when(format, d.decided_at, "long")],
                [t("ruleset"), t("version", { version: d.ruleset_version })],
                [t("latency"), ms(format, d.latency_ms)],
                [t("score"), String(d.score)],
              ]}
            />
          </Card>

          <Card title={t("breakdown")} actions={thresholds ? <span className="text-xs text-slate-600">{t("thresholds", thresholds)}</span> : null}>
            {d.rules.length === 0 ? (
              <p className="text-sm text-slate-600">{t("noRules")}</p>
            ) : (
              <ul className="space-y-2">
                {d.rules.map((r) => (
                  <li key={r.id} className="grid grid-cols-[1fr_auto] items-center gap-3 text-sm">
                    <div>
                      <div className="flex justify-between gap-2">
                        <span className="font-medium text-slate-800">{r.name}</span>
                        <span className="tabular text-slate-700">+{r.score}</span>
                      </div>
                      <div className="mt-1 h-2 rounded-full bg-slate-100" aria-hidden="true">
                        <div className="h-2 rounded-full bg-rose-500" style={{ width: `${Math.min(100, r.score)}%` }} />
                      </div>
                    </div>
                  </li>
                ))}
                <li className="flex justify-between border-t border-slate-100 pt-2 text-sm font-semibold">
                  <span>{t("total")}</span>
                  <span className="tabular">{d.score}</span>
                </li>
              </ul>
            )}
            {d.list_match ? (
              <div className="mt-3">
                <Alert tone={d.list_match.kind === "block" ? "red" : "green"}>
                  <strong>{t("listMatch")} · </strong>
                  {t("listMatchText", { kind: d.list_match.kind, field: d.list_match.field, value: d.list_match.value, reason: d.list_match.reason })}
                </Alert>
              </div>
            ) : null}
            {d.fallback_reason ? (
              <div className="mt-3">
                <Alert tone="amber">
                  <strong>{t("fallback")} · </strong>
                  {d.fallback_reason}
                </Alert>
              </div>
            ) : null}
            {d.errored_rules.length > 0 ? (
              <div className="mt-3">
                <Alert tone="amber">
                  <strong>{t("errored")} · </strong>
                  {d.errored_rules.map((e) => `${e.id}: ${e.error}`).join("; ")}
                </Alert>
              </div>
            ) : null}
          </Card>

          <Card title={t("firedRules")}>
            {d.rules.length === 0 ? (
              <p className="text-sm text-slate-600">{t("noRules")}</p>
            ) : (
              <ul className="divide-y divide-slate-100">
                {d.rules.map((r) => (
                  <li key={r.id} className="py-3 first:pt-0 last:pb-0">
                    <div className="flex flex-wrap items-center justify-between gap-2">
                      <p className="text-sm font-semibold text-slate-900">
                        {r.name} <span className="font-mono text-xs font-normal text-slate-600">{r.id}</span>
                      </p>
                      <Badge tone="red">{t("points", { points: r.score })}</Badge>
                    </div>
                    <p className="mt-2 text-xs font-medium text-slate-600">{t("expression")}</p>
                    <pre className="mt-1 overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100">{r.expression}</pre>
                    <p className="mt-2 text-xs font-medium text-slate-600">{t("valuesRead")}</p>
                    <div className="mt-1 flex flex-wrap gap-1.5">
                      {Object.entries(r.values).map(([k, v]) => (
                        <Code key={k}>
                          {k} = {showValue(v)}
                        </Code>
                      ))}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </Card>

          <Card bodyClassName="p-0">
            <details>
              <summary className="cursor-pointer px-4 py-3 text-sm font-semibold text-slate-800">{t("features")}</summary>
              <div className="px-0 pb-2 sm:px-2">
                <Table caption={t("features")}>
                  <thead>
                    <tr>
                      <Th>{t("feature")}</Th>
                      <Th>{t("value")}</Th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {Object.entries(d.features).map(([k, v]) => (
                      <tr key={k}>
                        <Td className="font-mono text-xs">{k}</Td>
                        <Td className="tabular">{showValue(v)}</Td>
                      </tr>
                    ))}
                  </tbody>
                </Table>
              </div>
            </details>
          </Card>
        </div>

        <div className="space-y-4">
          {reviewCase ? (
            <Card
              title={tr("case")}
              actions={
                <span className="flex gap-1.5">
                  <Badge tone={reviewCase.status === "closed" ? "gray" : "blue"}>{tr(`statuses.${reviewCase.status}`)}</Badge>
                  {reviewCase.label ? <Badge tone={reviewCase.label === "fraud" ? "red" : "green"}>{tr(`labels.${reviewCase.label}`)}</Badge> : null}
                </span>
              }
            >
              <CasePanel
                transactionId={d.transaction_id}
                status={reviewCase.status}
                assignee={reviewCase.assignee}
                me={user.username}
                activeBlocks={activeBlocks.length}
                blocked={d.decision === "BLOCKED"}
                canWork={can(user.role, "review.work")}
                history={history}
              />
            </Card>
          ) : null}

          <Card title={t("profile")}>
            <KeyValues
              columns={1}
              items={profileKeys.map((k) => {
                const v = d.profile_before[k];
                const shown =
                  k === "is_new_customer" ? (v ? t("yes") : t("no")) : k === "avg_transaction_30d" ? money(format, Number(v), tx.currency) : (k === "last_transaction_at" || k === "account_created") && typeof v === "string" ? when(format, v, "long") : showValue(v);
                return [t(`profileFields.${k}`), shown];
              })}
            />
          </Card>

          <Card title={t("transactionFields")}>
            <KeyValues columns={1} items={Object.entries(tx).map(([k, v]) => [k, <span key={k} className="font-mono text-xs">{showValue(v)}</span>])} />
          </Card>

          <Card title={t("alerts")}>
            {alerts.length === 0 ? (
              <p className="text-sm text-slate-600">{t("noAlerts")}</p>
            ) : (
              <ul className="space-y-2 text-sm">
                {alerts.map((a) => (
                  <li key={a.id} className="flex items-center justify-between gap-2">
                    <span>
                      #{a.id} · {when(format, a.created_at)}
                    </span>
                    <Badge tone={a.status === "open" ? "amber" : "gray"}>{ta(`statuses.${a.status}`)}</Badge>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
