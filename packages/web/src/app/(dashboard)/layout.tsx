import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { signOut } from "@/actions/session";
import { icons } from "@/components/icons";
import { LocaleSwitcher } from "@/components/locale-switcher";
import { Logo } from "@/components/logo";
import { MobileNav, SideNav, type NavItem } from "@/components/nav";
import { Providers } from "@/components/providers";
import { requireUser } from "@/server/auth";
import { platform } from "@/server/runtime";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const t = await getTranslations();
  const openAlerts = await (await platform()).alerts.openCount();
  const items: NavItem[] = [
    { href: "/", label: t("nav.overview"), icon: icons.overview },
    { href: "/decisions", label: t("nav.decisions"), icon: icons.decisions },
    { href: "/review", label: t("nav.review"), icon: icons.review },
    { href: "/alerts", label: t("nav.alerts"), icon: icons.alerts, badge: openAlerts },
    { href: "/test", label: t("nav.test"), icon: icons.test },
    { href: "/rules", label: t("nav.rules"), icon: icons.rules },
    { href: "/profiles", label: t("nav.profiles"), icon: icons.profiles },
    { href: "/lists", label: t("nav.lists"), icon: icons.lists },
    { href: "/reports", label: t("nav.reports"), icon: icons.reports },
    { href: "/audit", label: t("nav.audit"), icon: icons.audit },
    { href: "/settings", label: t("nav.settings"), icon: icons.settings },
  ];
  const account = (
    <div className="space-y-3">
      <div className="min-w-0">
        <p className="truncate text-sm font-medium text-white">{user.display_name}</p>
        <p className="text-xs text-slate-300">
          {user.username} · {t(`nav.roles.${user.role}`)}
        </p>
      </div>
      <div className="flex items-center justify-between gap-2">
        <LocaleSwitcher dark />
        <form action={signOut}>
          <button type="submit" className="rounded-md px-2 py-1 text-xs font-medium text-slate-200 hover:bg-white/10 hover:text-white">
            {t("nav.signOut")}
          </button>
        </form>
      </div>
    </div>
  );
  return (
    <Providers>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm"
      >
        {t("app.skip")}
      </a>
      <aside className="fixed inset-y-0 left-0 hidden w-64 flex-col bg-slate-900 lg:flex">
        <div className="flex items-center gap-3 px-5 pt-5 pb-2">
          <Logo />
          <div>
            <p className="text-sm font-semibold text-white">{t("app.name")}</p>
            <p className="text-xs text-slate-300">{t("app.tagline")}</p>
          </div>
        </div>
        <SideNav items={items} label={t("nav.main")} />
        <div className="border-t border-white/10 px-5 py-4">{account}</div>
      </aside>
      <div className="lg:pl-64">
        <header className="sticky top-0 z-30 flex items-center justify-between bg-slate-900 px-4 py-2 lg:hidden">
          <div className="flex items-center gap-2">
            <Logo />
            <span className="text-sm font-semibold text-white">{t("app.name")}</span>
          </div>
          <MobileNav items={items} label={t("nav.main")} openLabel={t("nav.menu")} closeLabel={t("nav.close")} footer={account} />
        </header>
        <main id="main" className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8">
          {children}
        </main>
      </div>
    </Providers>
  );
}
