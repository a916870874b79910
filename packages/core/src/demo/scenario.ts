import { citiesOf } from "../features/geo.ts";
import type { RiskLevel } from "../profile/profile.ts";
import type { TransactionInput } from "../transaction/transaction.ts";

/** The lab's five customers, as the lab gives them. */
export const LAB_CUSTOMERS: ReadonlyArray<{
  user_id: string;
  email: string;
  account_created: string;
  avg_transaction_30d: number;
  transaction_count_30d: number;
  last_device_id: string;
  last_location: string;
  risk_level: RiskLevel;
}> = [
  {
    user_id: "user_001",
    email: "john.doe@example.com",
    account_created: "2023-01-15",
    avg_transaction_30d: 125.5,
    transaction_count_30d: 15,
    last_device_id: "device_abc123",
    last_location: "New York, US",
    risk_level: "LOW",
  },
  {
    user_id: "user_002",
    email: "jane.smith@example.com",
    account_created: "2024-11-01",
    avg_transaction_30d: 50,
    transaction_count_30d: 3,
    last_device_id: "device_xyz789",
    last_location: "Los Angeles, US",
    risk_level: "HIGH",
  },
  {
    user_id: "user_003",
    email: "new.user@example.com",
    account_created: "2024-12-01",
    avg_transaction_30d: 0,
    transaction_count_30d: 0,
    last_device_id: "device_new999",
    last_location: "Chicago, US",
    risk_level: "NEW",
  },
  {
    user_id: "user_004",
    email: "premium.user@example.com",
    account_created: "2022-06-10",
    avg_transaction_30d: 850,
    transaction_count_30d: 25,
    last_device_id: "device_premium",
    last_location: "Miami, US",
    risk_level: "LOW",
  },
  {
    user_id: "user_005",
    email: "average.joe@example.com",
    account_created: "2023-08-20",
    avg_transaction_30d: 200,
    transaction_count_30d: 10,
    last_device_id: "device_normal",
    last_location: "Seattle, US",
    risk_level: "MEDIUM",
  },
];

export type DemoCustomer = (typeof LAB_CUSTOMERS)[number];

/**
 * The demo customers of a deployment: the lab's five, each living in a city of `country` (the
 * gazetteer's cities of that country in turn) instead of the lab's American cities, so that their
 * usual payments come from where the deployment's customers are. Without a country, the lab's
 * customers as the lab gives them.
 */
export function demoCustomers(country?: string): DemoCustomer[] {
  if (country === undefined) return [...LAB_CUSTOMERS];
  const cities = citiesOf(country);
  if (cities.length === 0) throw new Error(`demo customers: the gazetteer knows no city of ${country}`);
  return LAB_CUSTOMERS.map((c, i) => {
    const city = cities[i % cities.length]!;
    return { ...c, last_location: `${city.city}, ${city.country}` };
  });
}

export const LAB_LABELS = ["normal", "suspicious", "new_customer"] as const;
export type LabLabel = (typeof LAB_LABELS)[number];

export interface LabTransaction {
  label: LabLabel;
  transaction: TransactionInput;
}

/** A small seeded generator, so a scenario can be replayed exactly. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const MERCHANTS = ["MERCH_AMAZON", "MERCH_WALMART", "MERCH_APPLE", "MERCH_TARGET"];
const CATEGORIES = ["RETAIL", "GROCERY", "ELECTRONICS", "FOOD"];

/**
 * The lab's generator: 30 normal transactions for user_001/004/005, 10 suspicious for any of the
 * five, 10 for the new customer user_003. Unlike the lab, normal traffic comes from each
 * customer's usual device and city (in `country` when given: see demoCustomers), and
 * transactions carry their own timestamps, spaced `spacingSeconds` apart and ending at `end`.
 */
export function labScenario(options: { seed?: number; end?: Date; spacingSeconds?: number; runId?: string; country?: string } = {}): LabTransaction[] {
  const rnd = seededRandom(options.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const amount = (min: number, max: number) => Math.round((min + rnd() * (max - min)) * 100) / 100;
  const customers = demoCustomers(options.country);
  const byId = new Map(customers.map((c) => [c.user_id, c]));
  const runId = options.runId ?? "lab";
  const out: Array<{ label: LabLabel; transaction: Omit<TransactionInput, "timestamp"> }> = [];
  for (let i = 0; i < 30; i++) {
    const c = byId.get(pick(["user_001", "user_004", "user_005"]))!;
    out.push({
      label: "normal",
      transaction: {
        user_id: c.user_id,
        amount: amount(20, 300),
        merchant_id: pick(MERCHANTS),
        merchant_category: pick(CATEGORIES),
        device_id: c.last_device_id,
        location: c.last_location,
      },
    });
  }
  for (let i = 0; i < 10; i++) {
    out.push({
      label: "suspicious",
      transaction: {
        user_id: pick(customers.map((c) => c.user_id)),
        amount: amount(3000, 8000),
        merchant_id: "MERCH_SUSPICIOUS",
        merchant_category: "UNKNOWN",
        device_id: "device_unknown",
        location: "Unknown",
      },
    });
  }
  const newcomer = byId.get("user_003")!;
  for (let i = 0; i < 10; i++) {
    out.push({
      label: "new_customer",
      transaction: {
        user_id: "user_003",
        amount: amount(500, 2000),
        merchant_id: pick(MERCHANTS),
        merchant_category: pick(CATEGORIES),
        device_id: "device_new999",
        location: newcomer.last_location,
      },
    });
  }
  const spacing = (options.spacingSeconds ?? 300) * 1000;
  const end = (options.end ?? new Date()).getTime();
  return out.map((t, i) => ({
    label: t.label,
    transaction: {
      ...t.transaction,
      transaction_id: `${runId}-${String(i + 1).padStart(3, "0")}`,
      timestamp: new Date(end - (out.length - 1 - i) * spacing).toISOString(),
    },
  }));
}
