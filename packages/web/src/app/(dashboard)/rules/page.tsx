import { Ruleset, User } from "@fraud/core";
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { Alert, PageHeader, buttonClass } from "@/components/ui";
import { requireUser } from "@/server/auth";
import { diffRulesets, rulesState, ruleStats, workingContent } from "@/server/rules";
import { DraftCard } from "./draft-card";
import { RulesTable } from "./rules-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("rules"))("title") };
}

export default async function RulesPage() {
  const user = await requireUser();
  const t = await getTranslations("rules");
  const [{ live, draft, working }, stats] = await Promise.all([rulesState(), ruleStats()]);
  const content = workingContent(working);
  const diff = draft ? diffRulesets(live ? Ruleset.contentOf(live) : undefined, Ruleset.contentOf(draft)) : null;
  const changedIds = new Set(diff?.changed.map((c) => c.id));
  const addedIds = new Set(diff?.added.map((r) => r.id));
  const canDraft = User.can(user.role, "rule.draft");
  const canPublish = User.can(user.role, "rule.publish");
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
      {draft && diff ? <DraftCard version={draft.version} diff={diff} canPublish={canPublish} /> : null}
      <RulesTable content={content} stats={stats} changedIds={changedIds} addedIds={addedIds} canDraft={canDraft} />
    </>
  );
}
