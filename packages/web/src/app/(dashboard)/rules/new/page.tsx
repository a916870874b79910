import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Alert, PageHeader } from "@/components/ui";
import { User } from "@fraud/core";
import { requireUser } from "@/server/auth";
import { featureCatalogue } from "@/server/rules";
import { RuleEditor } from "../rule-editor";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("rules"))("newTitle") };
}

export default async function NewRulePage() {
  const user = await requireUser();
  const t = await getTranslations("rules");
  return (
    <>
      <PageHeader title={t("newTitle")} description={t("description")} />
      {User.can(user.role, "rule.draft") ? (
        <RuleEditor editing={false} features={featureCatalogue()} initial={{ id: "", name: "", description: "", expression: "", score: 20, enabled: true }} />
      ) : (
        <Alert tone="amber">{t("readOnly")}</Alert>
      )}
    </>
  );
}
