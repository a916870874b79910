import { cookies } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { Platform, Settings } from "@fraud/core";
import { DEFAULT_LOCALE, isLocale, LOCALE_COOKIE, TIME_ZONE_COOKIE } from "./config";

export default getRequestConfig(async () => {
  const jar = await cookies();
  const wanted = jar.get(LOCALE_COOKIE)?.value;
  const locale = isLocale(wanted) ? wanted : DEFAULT_LOCALE;
  const tz = jar.get(TIME_ZONE_COOKIE)?.value;
  const timeZone = Settings.isTimeZone(tz) ? tz : Platform.env().settings.timeZone;
  return {
    locale,
    timeZone,
    messages: (await import(`../../messages/${locale}.json`)).default,
  };
});
