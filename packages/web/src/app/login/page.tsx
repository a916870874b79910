import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { redirect } from "next/navigation";
import { LocaleSwitcher } from "@/components/locale-switcher";
import { Logo } from "@/components/logo";
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
    <main className="flex min-h-dvh flex-col items-center justify-center bg-slate-900 px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center gap-3 text-white">
          <Logo />
          <div>
            <p className="text-lg font-semibold">{t("app.name")}</p>
            <p className="text-sm text-slate-300">{t("app.tagline")}</p>
          </div>
        </div>
        <div className="rounded-xl bg-white p-6 shadow-xl">
          <h1 className="text-xl font-semibold text-slate-900">{t("login.title")}</h1>
          <p className="mt-1 mb-5 text-sm text-slate-600">{t("login.subtitle")}</p>
          <LoginForm next={next} />
        </div>
        <div className="mt-4 flex justify-center">
          <LocaleSwitcher dark />
        </div>
      </div>
    </main>
  );
}
