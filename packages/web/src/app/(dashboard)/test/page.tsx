import { User } from "@fraud/core";
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Alert, PageHeader } from "@/components/ui";
import { requireUser } from "@/server/auth";
import { runtime } from "@/server/runtime";
import { customers, presets, transactionTypes } from "@/server/test-presets";
import { LabRunner } from "./lab-runner";
import { TestForm } from "./test-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("test"))("title") };
}

export default async function TestPage() {
  const user = await requireUser();
  const t = await getTranslations("test");
  const te = await getTranslations("errors");
  const rt = await runtime();
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {User.can(user.role, "transaction.test") ? (
        <div className="space-y-4">
          <TestForm presets={presets(rt.env.settings.country)} customers={customers} types={transactionTypes} currency={rt.env.settings.currency} />
          <LabRunner />
        </div>
      ) : (
        <Alert tone="amber">{te("forbidden")}</Alert>
      )}
    </>
  );
}
