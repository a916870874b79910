import { haversineKm, lookupPlace } from "./geo.ts";
import { habitFeatures } from "../profile/habits.ts";
import { round2, window30d, type Profile } from "../profile/profile.ts";
import type { Settings } from "../settings/settings.ts";
import type { Transaction } from "../transaction/transaction.ts";

type CelType = "double" | "string" | "bool";

interface FeatureSpec {
  /** CEL type; nullable features are `dyn` in CEL and must be guarded with `!= null`. */
  type: CelType;
  nullable?: true;
  description: string;
}

/**
 * Every feature a rule can read: the one catalogue for the rule type-checker, the dashboard's
 * rule editor and the decision explanations. Counts are doubles so that rules compare them with
 * any number literal.
 */
export const FEATURES = {
  amount: { type: "double", description: "Amount of this transaction, in its currency" },
  currency: { type: "string", description: "ISO 4217 currency code" },
  avg_amount_30d: { type: "double", description: "Customer's average amount over the last 30 days (0 without history)" },
  tx_count_30d: { type: "double", description: "Customer's number of transactions over the last 30 days" },
  amount_to_avg_ratio: { type: "double", nullable: true, description: "amount / 30-day average; null without history" },
  seconds_since_last_tx: { type: "double", nullable: true, description: "Seconds between this transaction and the customer's latest one; null for the first" },
  is_first_transaction: { type: "bool", description: "The customer has no earlier transaction" },
  device_changed: { type: "bool", description: "Device differs from the customer's last device" },
  device_is_new: { type: "bool", description: "Device never seen for this customer (and the customer has known devices)" },
  distance_km: { type: "double", nullable: true, description: "Distance from the last known location in km; null when either place is unknown" },
  location_known: { type: "bool", description: "The transaction's place could be located (gazetteer or coordinates)" },
  account_age_days: { type: "double", description: "Days since the account was created" },
  tx_count_1h: { type: "double", description: "Customer's transactions in the hour before this one" },
  tx_sum_1h: { type: "double", description: "Total amount of the customer's transactions in the hour before this one" },
  tx_count_24h: { type: "double", description: "Customer's transactions in the 24 hours before this one" },
  tx_sum_24h: { type: "double", description: "Total amount of the customer's transactions in the 24 hours before this one" },
  hour_of_day: { type: "double", description: "Hour of day (0-23) in the deployment's time zone" },
  risk_level: { type: "string", description: "Customer risk level: LOW, MEDIUM, HIGH or NEW" },
  tx_type: { type: "string", description: "Mobile-money type (PAYMENT, TRANSFER, CASH_OUT, CASH_IN, DEBIT) or empty" },
  balance_before: { type: "double", nullable: true, description: "Sender balance before, when sent" },
  balance_after: { type: "double", nullable: true, description: "Sender balance after, when sent" },
  balance_share: { type: "double", nullable: true, description: "amount / balance_before; null when the balance is unknown or zero" },
  counterparty_is_new: { type: "bool", description: "A counterparty is given and the customer never sent to it before" },
  user_id: { type: "string", description: "Customer id" },
  device_id: { type: "string", description: "Device id or empty" },
  merchant_id: { type: "string", description: "Merchant id or empty" },
  merchant_category: { type: "string", description: "Merchant category or empty" },
  location: { type: "string", description: 'Location as sent ("City, CC") or empty' },
  counterparty_id: { type: "string", description: "Counterparty id or empty" },
  tx_flagged_24h: { type: "double", description: "Customer's attempts in the 24 hours before this one that were not APPROVED (REVIEW or BLOCKED)" },
  hour_share: {
    type: "double",
    nullable: true,
    description: "Share of the customer's approved transactions made within an hour of this time of day (UTC hours); null with fewer than 10",
  },
  category_tx_count: { type: "double", description: "Customer's approved transactions at this merchant category (long-run, old ones fade)" },
  amount_to_category_avg: {
    type: "double",
    nullable: true,
    description: "amount / the customer's average approved amount at this merchant category; null with fewer than 3 there",
  },
  seconds_since_new_counterparty_transfer: {
    type: "double",
    nullable: true,
    description: "Seconds since the customer's latest TRANSFER to a counterparty it had never sent to; null when none",
  },
} as const satisfies Record<string, FeatureSpec>;

export type FeatureName = keyof typeof FEATURES;
type ValueOf<S extends FeatureSpec> =
  (S["type"] extends "double" ? number : S["type"] extends "bool" ? boolean : string) | (S extends { nullable: true } ? null : never);
export type Features = { [K in FeatureName]: ValueOf<(typeof FEATURES)[K]> };
export type FeatureValue = number | string | boolean | null;

export const FEATURE_NAMES = Object.keys(FEATURES) as FeatureName[];

const hourFormatters = new Map<string, { format: Intl.DateTimeFormat; quarter: number; hour: number }>();
const QUARTER_HOUR_MS = 15 * 60_000;
/** Since 1980 every zone's offset, and every change of it, falls on a quarter hour (local mean times ended by 1972). */
const QUARTER_HOURS_FROM_MS = Date.UTC(1980, 0, 1);

/**
 * The hour of the day at `ms` in a time zone. Since 1980 it is the same throughout a UTC quarter
 * hour, so it is formatted once per quarter hour and zone (the last one is kept), not once per
 * transaction; earlier instants are formatted each time.
 */
export function hourIn(timeZone: string, ms: number): number {
  let f = hourFormatters.get(timeZone);
  if (!f) {
    f = { format: new Intl.DateTimeFormat("en-GB", { timeZone, hour: "numeric", hourCycle: "h23" }), quarter: Number.NaN, hour: 0 };
    hourFormatters.set(timeZone, f);
  }
  if (ms < QUARTER_HOURS_FROM_MS) return Number(f.format.format(ms)) % 24;
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  if (quarter !== f.quarter) {
    f.hour = Number(f.format.format(ms)) % 24;
    f.quarter = quarter;
  }
  return f.hour;
}

type Point = { lat: number; lon: number };

function txPoint(tx: Transaction): Point | undefined {
  if (tx.latitude !== undefined && tx.longitude !== undefined) return { lat: tx.latitude, lon: tx.longitude };
  return tx.location ? lookupPlace(tx.location) : undefined;
}

function lastPoint(p: Profile): Point | undefined {
  if (p.last_latitude !== null && p.last_longitude !== null) return { lat: p.last_latitude, lon: p.last_longitude };
  return p.last_location ? lookupPlace(p.last_location) : undefined;
}

const HOUR_MS = 3_600_000;

/** The features of a transaction given the customer's profile before it. Pure. */
export function computeFeatures(tx: Transaction, profile: Profile, settings: Pick<Settings, "timeZone">): Features {
  const t = Date.parse(tx.timestamp);
  const { count, sum } = window30d(profile, t);
  const avg = count === 0 ? 0 : sum / count;
  let count1h = 0;
  let sum1h = 0;
  let count24h = 0;
  let sum24h = 0;
  for (const r of profile.recent) {
    if (r.at > t) continue;
    if (r.at > t - 24 * HOUR_MS) {
      count24h += 1;
      sum24h += r.amount;
      if (r.at > t - HOUR_MS) {
        count1h += 1;
        sum1h += r.amount;
      }
    }
  }
  const here = txPoint(tx);
  const before = lastPoint(profile);
  const last = profile.last_transaction_at ? Date.parse(profile.last_transaction_at) : null;
  const balanceBefore = tx.balance_before ?? null;
  const habits = habitFeatures(profile, tx, t);
  return {
    amount: tx.amount,
    currency: tx.currency,
    avg_amount_30d: round2(avg),
    tx_count_30d: count,
    amount_to_avg_ratio: avg > 0 ? tx.amount / avg : null,
    seconds_since_last_tx: last === null ? null : Math.abs(t - last) / 1000,
    is_first_transaction: last === null && count === 0,
    device_changed: tx.device_id !== undefined && profile.last_device_id !== null && tx.device_id !== profile.last_device_id,
    device_is_new: tx.device_id !== undefined && profile.known_devices.length > 0 && !profile.known_devices.includes(tx.device_id),
    distance_km: here && before ? Math.round(haversineKm(before, here) * 10) / 10 : null,
    location_known: here !== undefined,
    account_age_days: Math.max(0, Math.floor((t - Date.parse(profile.account_created)) / 86_400_000)),
    tx_count_1h: count1h,
    tx_sum_1h: round2(sum1h),
    tx_count_24h: count24h,
    tx_sum_24h: round2(sum24h),
    hour_of_day: hourIn(settings.timeZone, t),
    risk_level: profile.risk_level,
    tx_type: tx.type ?? "",
    balance_before: balanceBefore,
    balance_after: tx.balance_after ?? null,
    balance_share: balanceBefore !== null && balanceBefore > 0 ? tx.amount / balanceBefore : null,
    counterparty_is_new: tx.counterparty_id !== undefined && !profile.known_counterparties.includes(tx.counterparty_id),
    user_id: tx.user_id,
    device_id: tx.device_id ?? "",
    merchant_id: tx.merchant_id ?? "",
    merchant_category: tx.merchant_category ?? "",
    location: tx.location ?? "",
    counterparty_id: tx.counterparty_id ?? "",
    tx_flagged_24h: habits.tx_flagged_24h,
    hour_share: habits.hour_share,
    category_tx_count: habits.category_tx_count,
    amount_to_category_avg: habits.amount_to_category_avg,
    seconds_since_new_counterparty_transfer: habits.seconds_since_new_counterparty_transfer,
  };
}
