import { can, contentOf, precision } from "@fraud/core";
import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { deleteRule, publishVersion, toggleRule } from "@/actions/rules";
import { ActionForm, SubmitButton } from "@/components/action-form";
import { Alert, Badge, Card, EmptyState, PageHeader, Table, Td, Th, buttonClass } from "@/components/ui";
import { percent } from "@/lib/format";
import { requireUser } from "@/server/auth";
import { diffRulesets, rulesState, ruleStats, workingContent } from "@/server/rules";
import { backtestAvailable } from "@/server/analytics";
import { DiffView } from "./diff-view";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("rules"))("title") };
}

export default async function RulesPage() {
  const user = await requireUser();
  const t = await getTranslations("rules");
  const format = await getFormatter();
  const [{ live, draft, working }, stats] = await Promise.all([rulesState(), ruleStats()]);
  const content = workingContent(working);
  const diff = draft ? diffRulesets(live ? contentOf(live) : undefined, contentOf(draft)) : null;
  const changes = diff ? diff.added.length + diff.removed.length + diff.changed.length + diff.settings.length : 0;
  const changedIds = new Set(diff?.changed.map((c) => c.id));
  const addedIds = new Set(diff?.added.map((r) => r.id));
  const canDraft = can(user.role, "rule.draft");
  const canPublish = can(user.role, "rule.publish");
  return (
    <>
      <PageHeader
        title={t("title")}
        description={
          <>
            {t("description")} <br />
            <span className="font-medium text-slate-800">{live ? t("live", { version: live.version }) : t("noLive")}</span>
            {" · "}
            {t("thresholds", content.thresholds)}
          </>
        }
        actions={
          <>
            <Link href="/rules/versions" className={buttonClass("secondary")}>
              {t("history")}
            </Link>
            {canDraft ? (
              <Link href="/rules/new" className={buttonClass("primary")}>
                {t("newRule")}
              </Link>
            ) : null}
          </>
        }
      />
      {!canDraft ? (
        <div className="mb-4">
          <Alert tone="gray">{t("readOnly")}</Alert>
        </div>
      ) : null}
      {draft && diff ? (
        <Card
          className="mb-4 border-amber-300"
          title={t("draftBanner", { version: draft.version, count: changes })}
          actions={
            <div className="flex flex-wrap gap-2">
              {(await backtestAvailable()) ? (
                <Link href={`/rules/versions/${draft.version}#backtest`} className={buttonClass("secondary", "sm")}>
                  {t("backtest")}
                </Link>
              ) : null}
              {canPublish ? (
                <ActionForm action={publishVersion} hidden={{ version: String(draft.version) }} showMessage={false}>
                  <SubmitButton size="sm">{t("publish", { version: draft.version })}</SubmitButton>
                </ActionForm>
              ) : null}
            </div>
          }
        >
          <DiffView diff={diff} />
        </Card>
      ) : null}
      <Card bodyClassName="p-0 sm:p-2">
        {content.rules.length === 0 ? (
          <div className="p-4">
            <EmptyState>{t("noLive")}</EmptyState>
          </div>
        ) : (
          <Table caption={t("rulesList")}>
            <thead>
              <tr>
                <Th>{t("name")}</Th>
                <Th className="hidden md:table-cell">{t("expression")}</Th>
                <Th className="text-right">{t("score")}</Th>
                <Th className="text-right">{t("hits")}</Th>
                <Th className="text-right">{t("precision")}</Th>
                <Th>{t("state")}</Th>
                {canDraft ? <Th>{t("actions")}</Th> : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {content.rules.map((r) => {
                const labels = stats.labels[r.id];
                return (
                  <tr key={r.id} className={r.enabled ? "" : "bg-slate-50 text-slate-500"}>
                    <Td>
                      <Link href={`/rules/${encodeURIComponent(r.id)}`} className="font-medium text-slate-900 hover:underline">
                        {r.name}
                      </Link>
                      <p className="font-mono text-xs text-slate-600">{r.id}</p>
                      {changedIds.has(r.id) ? (
                        <Badge tone="amber">{t("inDraft")}</Badge>
                      ) : addedIds.has(r.id) ? (
                        <Badge tone="blue">{t("newInDraft")}</Badge>
                      ) : null}
                    </Td>
                    <Td className="hidden max-w-md md:table-cell">
                      <code className="font-mono text-xs break-words text-slate-700">{r.expression}</code>
                    </Td>
                    <Td className="tabular text-right">{r.score}</Td>
                    <Td className="tabular text-right">{stats.hits ? format.number(stats.hits[r.id] ?? 0) : <abbr title={t("hitsElsewhere")}>—</abbr>}</Td>
                    <Td className="tabular text-right">{percent(format, labels ? precision(labels) : null)}</Td>
                    <Td>
                      <Badge tone={r.enabled ? "green" : "gray"}>{r.enabled ? t("on") : t("off")}</Badge>
                    </Td>
                    {canDraft ? (
                      <Td>
                        <div className="flex flex-nowrap gap-1.5">
                          <Link href={`/rules/${encodeURIComponent(r.id)}`} className={buttonClass("secondary", "sm")} aria-label={`${t("edit")} ${r.id}`}>
                            {t("edit")}
                          </Link>
                          <ActionForm action={toggleRule} hidden={{ id: r.id }} showMessage={false}>
                            <SubmitButton variant="secondary" size="sm" label={`${r.enabled ? t("disable") : t("enable")} ${r.id}`}>
                              {r.enabled ? t("disable") : t("enable")}
                            </SubmitButton>
                          </ActionForm>
                          <ActionForm action={deleteRule} hidden={{ id: r.id }} showMessage={false}>
                            <SubmitButton variant="ghost" size="sm" label={`${t("delete")} ${r.id}`}>
                              {t("delete")}
                            </SubmitButton>
                          </ActionForm>
                        </div>
                      </Td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
        {stats.hits ? null : (
          <p className="mt-3 text-sm text-slate-600">
            <Link href="/reports?report=rule_hit_rates" className="underline">
              {t("hitsInLake")}
            </Link>
          </p>
        )}
      </Card>
    </>
  );
}
