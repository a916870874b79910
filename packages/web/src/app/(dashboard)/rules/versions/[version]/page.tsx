import { Ruleset, User } from "@fraud/core";
import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { publishVersion, rollbackToVersion } from "@/actions/rules";
import { ActionForm, SubmitButton } from "@/components/action-form";
import { Badge, Card, PageHeader } from "@/components/ui";
import { when } from "@/lib/format";
import { backtestAvailable } from "@/server/analytics";
import { requireUser } from "@/server/auth";
import { diffRulesets, rulesState } from "@/server/rules";
import { DiffView } from "../../diff-view";
import { BacktestPanel } from "./backtest-panel";

type Props = { params: Promise<{ version: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await getTranslations("rules"))("diffTitle", { version: (await params).version }) };
}

export default async function VersionPage({ params }: Props) {
  const user = await requireUser();
  const n = Number((await params).version);
  const t = await getTranslations("rules");
  const format = await getFormatter();
  const { versions, live } = await rulesState();
  const version = versions.find((v) => v.version === n);
  if (!version) notFound();
  const previous = versions.find((v) => v.version < n);
  const diff = diffRulesets(previous ? Ruleset.contentOf(previous) : undefined, Ruleset.contentOf(version));
  const canPublish = User.can(user.role, "rule.publish");
  return (
    <>
      <nav aria-label="breadcrumb" className="mb-2 text-sm">
        <Link href="/rules/versions" className="text-brand-700 hover:underline">
          ← {t("history")}
        </Link>
      </nav>
      <PageHeader
        title={t("diffTitle", { version: n })}
        description={
          <>
            <Badge tone={version.status === "published" ? "green" : version.status === "draft" ? "amber" : "gray"}>{t(`statuses.${version.status}`)}</Badge>{" "}
            {version.note} · {when(format, version.created_at)} · {t("by", { who: version.created_by })}
          </>
        }
        actions={
          <>
            {canPublish && version.status === "draft" ? (
              <ActionForm action={publishVersion} hidden={{ version: String(n) }}>
                <SubmitButton>{t("publish", { version: n })}</SubmitButton>
              </ActionForm>
            ) : null}
            {canPublish && version.published_at && n !== live?.version ? (
              <ActionForm action={rollbackToVersion} hidden={{ version: String(n) }}>
                <SubmitButton variant="secondary">{t("rollback")}</SubmitButton>
              </ActionForm>
            ) : null}
          </>
        }
      />
      <Card title={previous ? t("diffAgainst", { other: previous.version }) : t("diffAgainstNothing")}>
        <DiffView diff={diff} />
      </Card>
      {(await backtestAvailable()) ? (
        <div id="backtest" className="mt-4">
          <BacktestPanel version={n} canRun={User.can(user.role, "rule.draft")} />
        </div>
      ) : null}
    </>
  );
}
