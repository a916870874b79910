import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { Logo } from "./logo";

/** The frame of the pages outside the dashboard (sign-in, one's own password): the product's name, a card, and what goes under it. */
export async function AccountFrame({
  caption,
  title,
  hint,
  footer,
  children,
}: {
  caption: string;
  title: string;
  hint: string;
  footer: ReactNode;
  children: ReactNode;
}) {
  const t = await getTranslations();
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center bg-slate-900 px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center gap-3 text-white">
          <Logo />
          <div>
            <p className="text-lg font-semibold">{t("app.name")}</p>
            <p className="text-sm text-slate-300">{caption}</p>
          </div>
        </div>
        <div className="rounded-xl bg-white p-6 shadow-xl">
          <h1 className="text-xl font-semibold text-slate-900">{title}</h1>
          <p className="mt-1 mb-5 text-sm text-slate-600">{hint}</p>
          {children}
        </div>
        {footer}
      </div>
    </main>
  );
}
