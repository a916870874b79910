import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { redirect } from "next/navigation";
import { signOut } from "@/actions/session";
import { LocaleSwitcher } from "@/components/locale-switcher";
import { Logo } from "@/components/logo";
import { PasswordForm } from "@/components/password-form";
import { sameSitePath } from "@/lib/redirect";
import { sessionUser } from "@/server/auth";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("password"))("title") };
}

/**
 * The user's own password. Outside the dashboard's frame: a user whose password an admin reset is
 * sent here and can do nothing else (see requireUser) until they choose a new one.
 */
export default async function PasswordPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const user = await sessionUser();
  if (!user) redirect("/login");
  const next = sameSitePath((await searchParams).next);
  const t = await getTranslations();
  const forced = user.must_change_password;
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center bg-slate-900 px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center gap-3 text-white">
          <Logo />
          <div>
            <p className="text-lg font-semibold">{t("app.name")}</p>
            <p className="text-sm text-slate-300">{t("nav.signedInAs", { name: user.username })}</p>
          </div>
        </div>
        <div className="rounded-xl bg-white p-6 shadow-xl">
          <h1 className="text-xl font-semibold text-slate-900">{forced ? t("password.forcedTitle") : t("password.title")}</h1>
          <p className="mt-1 mb-5 text-sm text-slate-600">{forced ? t("password.forcedHint") : t("password.hint")}</p>
          <PasswordForm temporary={forced} next={forced ? next : undefined} />
        </div>
        <div className="mt-4 flex items-center justify-between gap-2">
          {forced ? (
            <form action={signOut}>
              <button type="submit" className="rounded-md px-2 py-1 text-xs font-medium text-slate-200 hover:bg-white/10 hover:text-white">
                {t("nav.signOut")}
              </button>
            </form>
          ) : (
            <Link href="/" className="rounded-md px-2 py-1 text-xs font-medium text-slate-200 hover:bg-white/10 hover:text-white">
              {t("password.back")}
            </Link>
          )}
          <LocaleSwitcher dark />
        </div>
      </div>
    </main>
  );
}
