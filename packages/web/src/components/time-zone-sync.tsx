"use client";

import { useTimeZone } from "next-intl";
import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Dates are rendered on the server: tell it the browser's time zone once, then re-render. */
export function TimeZoneSync() {
  const current = useTimeZone();
  const router = useRouter();
  useEffect(() => {
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (browser && browser !== current && !document.cookie.includes(`tz=${encodeURIComponent(browser)}`)) {
      document.cookie = `tz=${encodeURIComponent(browser)}; path=/; max-age=31536000; samesite=lax`;
      router.refresh();
    }
  }, [current, router]);
  return null;
}
