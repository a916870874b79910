import { getTranslations } from "next-intl/server";
import { PasswordForm } from "@/components/password-form";
import { Card } from "@/components/ui";

export async function PasswordCard() {
  const t = await getTranslations("settings");
  return (
    <Card title={t("yourPassword")}>
      <p className="mb-3 text-xs text-slate-600">{(await getTranslations("password"))("hint")}</p>
      <PasswordForm />
    </Card>
  );
}
