import { Review, type Ruleset } from "@fraud/core";
import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { deleteRule, toggleRule } from "@/actions/rules";
import { ActionForm, SubmitButton } from "@/components/action-form";
import { Badge, Card, EmptyState, Table, Td, Th, buttonClass } from "@/components/ui";
import { percent } from "@/lib/format";
import type { ruleStats } from "@/server/rules";

/** The working ruleset's rules, with their hits and precision, and what an analyst may do with each. */
export async function RulesTable({
  content,
  stats,
  changedIds,
  addedIds,
  canDraft,
}: {
  content: Ruleset.RulesetContent;
  stats: Awaited<ReturnType<typeof ruleStats>>;
  changedIds: Set<string>;
  addedIds: Set<string>;
  canDraft: boolean;
}) {
  const t = await getTranslations("rules");
  const format = await getFormatter();
  return (
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
                  <Td className="tabular text-right">{percent(format, labels ? Review.precision(labels) : null)}</Td>
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
  );
}
