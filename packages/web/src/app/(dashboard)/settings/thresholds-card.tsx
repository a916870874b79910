import { Ruleset } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { KeyValues } from "@/components/key-values";
import { Card } from "@/components/ui";
import { rulesState, workingContent } from "@/server/rules";
import { ThresholdsForm } from "./settings-forms";

/** The live ruleset's thresholds: a form for admins, figures for everyone else. */
export async function ThresholdsCard({ admin }: { admin: boolean }) {
  const t = await getTranslations("settings");
  const content = workingContent((await rulesState()).live);
  return (
    <Card title={t("thresholds")}>
      {admin ? (
        <ThresholdsForm
          review={content.thresholds.review}
          block={content.thresholds.block}
          fallback={content.fallback_decision}
          budget={content.time_budget_ms}
          decisions={Ruleset.DECISIONS}
        />
      ) : (
        <KeyValues
          items={[
            [t("review"), String(content.thresholds.review)],
            [t("block"), String(content.thresholds.block)],
            [t("fallback"), content.fallback_decision],
            [t("budget"), String(content.time_budget_ms)],
          ]}
        />
      )}
    </Card>
  );
}
