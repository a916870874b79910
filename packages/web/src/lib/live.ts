"use client";

import { useQuery } from "@tanstack/react-query";

export const LIVE_INTERVAL_MS = 3_000;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: "application/json" }, cache: "no-store" });
  if (res.status === 401) {
    window.location.assign("/login");
    throw new Error("signed out");
  }
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as T;
}

/** Data the server rendered first, then refreshed in the background every few seconds. */
export function useLive<T>(
  key: readonly unknown[],
  url: string,
  initialData: T,
  interval = LIVE_INTERVAL_MS,
): { data: T; isFetching: boolean; dataUpdatedAt: number } {
  const query = useQuery({
    queryKey: key,
    queryFn: () => getJson<T>(url),
    initialData,
    initialDataUpdatedAt: Date.now(),
    refetchInterval: interval,
    refetchIntervalInBackground: false,
  });
  return { data: query.data ?? initialData, isFetching: query.isFetching, dataUpdatedAt: query.dataUpdatedAt };
}
