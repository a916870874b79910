import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { redirect } from "next/navigation";
import { signOut } from "@/actions/session";
import { LocaleSwitcher } from "@/components/locale-switcher";
import { AccountFrame } from "@/components/account-frame";
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
    <AccountFrame
      caption={t("nav.signedInAs", { name: user.username })}
      title={forced ? t("password.forcedTitle") : t("password.title")}
      hint={forced ? t("password.forcedHint") : t("password.hint")}
      footer={
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
      }
    >
      <PasswordForm temporary={forced} next={forced ? next : undefined} />
    </AccountFrame>
  );
}
