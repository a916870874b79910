import { z } from "zod";
import { HabitFields, learnHabits, noHabits } from "./habits.ts";
import { Text, type Transaction } from "../transaction/transaction.ts";

export const RISK_LEVELS = ["LOW", "MEDIUM", "HIGH", "NEW"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

const DAY_MS = 86_400_000;
export const WINDOW_DAYS = 30;
const RECENT_WINDOW_MS = DAY_MS;
/** Bounds that keep one profile small even for a customer under attack. */
export const MAX_RECENT = 5_000;
export const MAX_KNOWN_DEVICES = 20;
export const MAX_KNOWN_COUNTERPARTIES = 100;

const DailyActivity = z.object({ day: z.iso.date(), count: z.number().int().nonnegative(), sum: z.number().nonnegative() });
const RecentActivity = z.object({ at: z.number().int(), amount: z.number().nonnegative() });

/** What we know about a customer: the lab's fields plus the history the features need. */
export const Profile = z.object({
  user_id: Text,
  email: z.email().nullable().default(null),
  phone: z.string().max(32).nullable().default(null),
  account_created: z.iso.datetime({ offset: true }),
  risk_level: z.enum(RISK_LEVELS),
  last_device_id: z.string().nullable(),
  last_location: z.string().nullable(),
  last_latitude: z.number().nullable().default(null),
  last_longitude: z.number().nullable().default(null),
  last_transaction_at: z.iso.datetime({ offset: true }).nullable(),
  known_devices: z.array(z.string()).default([]),
  known_counterparties: z.array(z.string()).default([]),
  /** One entry per UTC day with activity, the last 30 days only. */
  daily: z.array(DailyActivity).default([]),
  /** Every transaction of the last 24 hours (epoch ms and amount), for exact velocity counts. */
  recent: z.array(RecentActivity).default([]),
  /** Long-run habits (hours, merchant categories, held attempts): see habits.ts. */
  ...HabitFields,
  updated_at: z.iso.datetime({ offset: true }),
  /** Incremented by every change: the AWS store uses it for conditional writes. */
  version: z.number().int().nonnegative().default(0),
});
export type Profile = z.infer<typeof Profile>;

/** The fields an analyst may edit by hand. */
export const ProfileEdit = z.strictObject({
  email: z.email().nullable().optional(),
  phone: z.string().max(32).nullable().optional(),
  risk_level: z.enum(RISK_LEVELS).optional(),
  last_device_id: Text.nullable().optional(),
  last_location: Text.nullable().optional(),
});
export type ProfileEdit = z.infer<typeof ProfileEdit>;

// Formatting a date is most of what utcDay costs, and calls ask for the same few days again and again.
const dayNames = new Map<number, string>();

export function utcDay(ms: number): string {
  const dayNumber = Math.floor(ms / DAY_MS);
  let day = dayNames.get(dayNumber);
  if (day === undefined) {
    day = new Date(ms).toISOString().slice(0, 10);
    if (dayNames.size >= 1_024) dayNames.clear();
    dayNames.set(dayNumber, day);
  }
  return day;
}

/** Count and total of the 30 days that end on the day of `atMs` (that day included). */
export function window30d(profile: Pick<Profile, "daily">, atMs: number): { count: number; sum: number } {
  const last = utcDay(atMs);
  const first = utcDay(atMs - (WINDOW_DAYS - 1) * DAY_MS);
  let count = 0;
  let sum = 0;
  for (const d of profile.daily) {
    if (d.day >= first && d.day <= last) {
      count += d.count;
      sum += d.sum;
    }
  }
  return { count, sum };
}

/** The lab's displayed figures, as of `atMs`. */
export function summary30d(profile: Pick<Profile, "daily">, atMs: number) {
  const { count, sum } = window30d(profile, atMs);
  return { transaction_count_30d: count, avg_transaction_30d: count === 0 ? 0 : round2(sum / count) };
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** A profile for a customer seen for the first time. */
export function newProfile(userId: string, at: string): Profile {
  return {
    user_id: userId,
    email: null,
    phone: null,
    account_created: at,
    risk_level: "NEW",
    last_device_id: null,
    last_location: null,
    last_latitude: null,
    last_longitude: null,
    last_transaction_at: null,
    known_devices: [],
    known_counterparties: [],
    daily: [],
    recent: [],
    ...noHabits(),
    updated_at: at,
    version: 0,
  };
}

/** A profile as the lab describes customers: 30-day average and count without their history. */
export function profileFromSummary(input: {
  user_id: string;
  email: string | null;
  account_created: string;
  avg_transaction_30d: number;
  transaction_count_30d: number;
  last_device_id: string | null;
  last_location: string | null;
  risk_level: RiskLevel;
  as_of: string;
}): Profile {
  const p = newProfile(input.user_id, new Date(input.account_created).toISOString());
  p.email = input.email;
  p.risk_level = input.risk_level;
  p.last_device_id = input.last_device_id;
  p.last_location = input.last_location;
  p.known_devices = input.last_device_id ? [input.last_device_id] : [];
  if (input.transaction_count_30d > 0) {
    p.daily = [
      {
        // The lab gives the figures, not the history: they are booked on the day before `as_of`.
        day: utcDay(Date.parse(input.as_of) - DAY_MS),
        count: input.transaction_count_30d,
        sum: round2(input.avg_transaction_30d * input.transaction_count_30d),
      },
    ];
  }
  p.updated_at = input.as_of;
  return p;
}

function remember(list: string[], value: string | undefined, max: number): string[] {
  if (value === undefined) return list;
  const next = list.filter((v) => v !== value);
  next.push(value);
  return next.length > max ? next.slice(next.length - max) : next;
}

/**
 * The profile after one more transaction. Pure: the stores call it inside their atomic update,
 * once per transaction id. Every attempt counts for velocity and time since the last one; only an
 * APPROVED transaction teaches the profile (30-day figures, devices, places, counterparties), so
 * a blocked fraudster's device never becomes "known". History is pruned relative to the newest
 * activity, so 30-day and 24-hour figures stay true as time passes.
 */
export function applyTransaction(profile: Profile, tx: Transaction, at: string, accepted = true): Profile {
  const t = Date.parse(tx.timestamp);
  const lastMs = profile.last_transaction_at ? Date.parse(profile.last_transaction_at) : -Infinity;
  const newest = Math.max(t, lastMs);
  const day = utcDay(t);
  const oldestDay = utcDay(newest - (WINDOW_DAYS - 1) * DAY_MS);

  const daily = profile.daily.filter((d) => d.day >= oldestDay).map((d) => ({ ...d }));
  if (accepted && day >= oldestDay) {
    const bucket = daily.find((d) => d.day === day);
    if (bucket) {
      bucket.count += 1;
      bucket.sum = round2(bucket.sum + tx.amount);
    } else {
      daily.push({ day, count: 1, sum: tx.amount });
      daily.sort((a, b) => (a.day < b.day ? -1 : 1));
    }
  }

  let recent = profile.recent.filter((r) => r.at > newest - RECENT_WINDOW_MS);
  if (t > newest - RECENT_WINDOW_MS) {
    recent.push({ at: t, amount: tx.amount });
    recent.sort((a, b) => a.at - b.at);
  }
  if (recent.length > MAX_RECENT) recent = recent.slice(recent.length - MAX_RECENT);

  const learn = accepted && t >= lastMs;
  const hasPoint = tx.latitude !== undefined && tx.longitude !== undefined;
  // A transaction that names no place leaves the last known place (name or point) as it was.
  const learnPlace = learn && (hasPoint || tx.location !== undefined);
  return {
    ...profile,
    last_device_id: learn ? (tx.device_id ?? profile.last_device_id) : profile.last_device_id,
    last_location: learn ? (tx.location ?? profile.last_location) : profile.last_location,
    last_latitude: learnPlace ? (hasPoint ? tx.latitude! : null) : profile.last_latitude,
    last_longitude: learnPlace ? (hasPoint ? tx.longitude! : null) : profile.last_longitude,
    last_transaction_at: new Date(newest).toISOString(),
    known_devices: accepted ? remember(profile.known_devices, tx.device_id, MAX_KNOWN_DEVICES) : profile.known_devices,
    known_counterparties: accepted ? remember(profile.known_counterparties, tx.counterparty_id, MAX_KNOWN_COUNTERPARTIES) : profile.known_counterparties,
    daily,
    recent,
    ...learnHabits(profile, tx, t, newest, accepted, profile.known_counterparties),
    updated_at: at,
    version: profile.version + 1,
  };
}
