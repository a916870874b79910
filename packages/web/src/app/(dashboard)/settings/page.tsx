import { User } from "@fraud/core";
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Alert, PageHeader } from "@/components/ui";
import { requireUser } from "@/server/auth";
import { ApiKeysCard } from "./api-keys-card";
import { DeploymentCard } from "./deployment-card";
import { PasswordCard } from "./password-card";
import { ThresholdsCard } from "./thresholds-card";
import { UsersCard } from "./users-card";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("settings"))("title") };
}

export default async function SettingsPage() {
  const user = await requireUser();
  const t = await getTranslations("settings");
  const admin = User.can(user.role, "settings.edit");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {!admin ? (
        <div className="mb-4">
          <Alert tone="gray">{t("adminOnly")}</Alert>
        </div>
      ) : null}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <DeploymentCard />
        <ThresholdsCard admin={admin} />
        <PasswordCard />
        {admin ? (
          <>
            <UsersCard me={user} />
            <ApiKeysCard me={user} />
          </>
        ) : null}
      </div>
    </>
  );
}
