import "server-only";
import { Monitoring } from "@fraud/core";
import { platform, runtime } from "./runtime";

export const OVERVIEW_MINUTES = 60;
export const SAMPLE_SIZE = 5_000;

export interface Throughput {
  minutes: Monitoring.MinuteFigures[];
  total: number;
  last_minute: number;
  per_minute: number;
  mix: { APPROVED: number; REVIEW: number; BLOCKED: number };
  amount_blocked: number;
  currency: string;
}

export async function throughput(now = new Date()): Promise<Throughput> {
  const rt = await runtime();
  const minutes = Monitoring.fillMinutes(await rt.platform.metrics.perMinute(OVERVIEW_MINUTES, now), now, OVERVIEW_MINUTES);
  const mix = Monitoring.decisionMix(minutes);
  const total = mix.APPROVED + mix.REVIEW + mix.BLOCKED;
  const last = minutes.at(-1)!;
  return {
    minutes,
    total,
    last_minute: last.APPROVED + last.REVIEW + last.BLOCKED,
    per_minute: total / OVERVIEW_MINUTES,
    mix,
    amount_blocked: minutes.reduce((s, m) => s + m.amount_blocked, 0),
    currency: rt.env.settings.currency,
  };
}

export async function recentSample(): Promise<Monitoring.RecentSample> {
  return (await platform()).metrics.recent(SAMPLE_SIZE);
}
