import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { publishVersion } from "@/actions/rules";
import { ActionForm, SubmitButton } from "@/components/action-form";
import { Card, buttonClass } from "@/components/ui";
import { backtestAvailable } from "@/server/analytics";
import type { RulesetDiff } from "@/server/rules";
import { DiffView } from "./diff-view";

/** The draft waiting to be published: what it changes against the live ruleset, and the way to backtest and publish it. */
export async function DraftCard({ version, diff, canPublish }: { version: number; diff: RulesetDiff; canPublish: boolean }) {
  const t = await getTranslations("rules");
  const changes = diff.added.length + diff.removed.length + diff.changed.length + diff.settings.length;
  return (
    <Card
      className="mb-4 border-amber-300"
      title={t("draftBanner", { version, count: changes })}
      actions={
        <div className="flex flex-wrap gap-2">
          {(await backtestAvailable()) ? (
            <Link href={`/rules/versions/${version}#backtest`} className={buttonClass("secondary", "sm")}>
              {t("backtest")}
            </Link>
          ) : null}
          {canPublish ? (
            <ActionForm action={publishVersion} hidden={{ version: String(version) }} showMessage={false}>
              <SubmitButton size="sm">{t("publish", { version })}</SubmitButton>
            </ActionForm>
          ) : null}
        </div>
      }
    >
      <DiffView diff={diff} />
    </Card>
  );
}
