import { getFormatter, getLocale, getTimeZone, getTranslations } from "next-intl/server";
import { KeyValues } from "@/components/key-values";
import { Card } from "@/components/ui";
import { money } from "@/lib/format";
import { runtime } from "@/server/runtime";

/** The settings read from the environment: shown, never edited here. */
export async function DeploymentCard() {
  const t = await getTranslations("settings");
  const format = await getFormatter();
  const s = (await runtime()).env.settings;
  const locale = await getLocale();
  const name = (type: "region" | "language", code: string) => new Intl.DisplayNames([locale], { type }).of(code) ?? code;
  return (
    <Card title={t("deployment")}>
      <KeyValues
        items={[
          [t("currency"), `${s.currency} (${money(format, 1234567, s.currency)})`],
          [t("timeZone"), s.timeZone],
          [t("yourTimeZone"), await getTimeZone()],
          [t("maxAmount"), money(format, s.maxAmount, s.currency)],
          [t("country"), `${name("region", s.country)} (${s.country})`],
          [t("language"), name("language", s.language)],
          [t("engine"), "SQLite (WAL) · DuckDB"],
        ]}
      />
      <p className="mt-3 text-xs text-slate-600">{t("fromEnv")}</p>
    </Card>
  );
}
