import { User } from "@fraud/core";
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { notFound } from "next/navigation";
import { Alert, PageHeader } from "@/components/ui";
import { requireUser } from "@/server/auth";
import { featureCatalogue, rulesState, workingContent } from "@/server/rules";
import { RuleEditor } from "../rule-editor";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await getTranslations("rules"))("editTitle", { id: decodeURIComponent((await params).id) }) };
}

export default async function EditRulePage({ params }: Props) {
  const user = await requireUser();
  const id = decodeURIComponent((await params).id);
  const t = await getTranslations("rules");
  const rule = workingContent((await rulesState()).working).rules.find((r) => r.id === id);
  if (!rule) notFound();
  return (
    <>
      <PageHeader title={t("editTitle", { id })} description={t("description")} />
      {User.can(user.role, "rule.draft") ? (
        <RuleEditor editing features={featureCatalogue()} initial={rule} />
      ) : (
        <>
          <Alert tone="amber">{t("readOnly")}</Alert>
          <pre className="mt-4 overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100">{rule.expression}</pre>
        </>
      )}
    </>
  );
}
