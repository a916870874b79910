import { getLocale, getTranslations } from "next-intl/server";
import { setLocale } from "@/actions/session";
import { LOCALES } from "@/i18n/config";
import { cx } from "./ui";

/** Plain forms: switching language works before the page's JavaScript has loaded. */
export async function LocaleSwitcher({ dark = false }: { dark?: boolean }) {
  const locale = await getLocale();
  const t = await getTranslations("nav");
  return (
    <div role="group" aria-label={t("language")} className="flex gap-1">
      {LOCALES.map((l) => (
        <form key={l} action={setLocale}>
          <input type="hidden" name="locale" value={l} />
          <button
            type="submit"
            aria-pressed={l === locale}
            lang={l}
            className={cx(
              "rounded-md px-2 py-1 text-xs font-semibold uppercase",
              l === locale
                ? dark
                  ? "bg-white/15 text-white"
                  : "bg-slate-200 text-slate-900"
                : dark
                  ? "text-slate-300 hover:text-white"
                  : "text-slate-600 hover:text-slate-900",
            )}
          >
            {l}
          </button>
        </form>
      ))}
    </div>
  );
}
