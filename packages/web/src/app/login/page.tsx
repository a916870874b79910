import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { redirect } from "next/navigation";
import { LocaleSwitcher } from "@/components/locale-switcher";
import { AccountFrame } from "@/components/account-frame";
import { passwordPage, sameSitePath } from "@/lib/redirect";
import { sessionUser } from "@/server/auth";
import { LoginForm } from "./login-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("login"))("title") };
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = sameSitePath((await searchParams).next);
  const user = await sessionUser();
  if (user) redirect(user.must_change_password ? passwordPage(next) : next);
  const t = await getTranslations();
  return (
    <AccountFrame
      caption={t("app.tagline")}
      title={t("login.title")}
      hint={t("login.subtitle")}
      footer={
        <div className="mt-4 flex justify-center">
          <LocaleSwitcher dark />
        </div>
      }
    >
      <LoginForm next={next} />
    </AccountFrame>
  );
}
