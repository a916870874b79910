import { afterEach } from "vitest";
import { openLocalPlatform, type LocalPlatform } from "../src/adapters/local/index.ts";
import { Decision } from "../src/decision/decision.ts";
import { seedDemo } from "../src/demo/seed.ts";
import { defaultSettings } from "../src/settings/settings.ts";
import { parseTransaction, type Transaction, type TransactionInput } from "../src/transaction/transaction.ts";
import { at, HOUR, NOW, tempDirs } from "./support.ts";

/**
 * Local platforms (SQLite stores) for a test file: each in a temporary data directory, closed and
 * removed after each test. Anything else pushed on `opened` is closed with them, last first.
 */
export function localPlatforms() {
  const dirs = tempDirs();
  const opened: Array<{ close(): void }> = [];

  afterEach(() => {
    for (const o of opened.splice(0).reverse()) o.close();
    dirs.cleanup();
  });

  function open(dataDir = dirs.make()): LocalPlatform {
    const platform = openLocalPlatform({ dataDir, settings: defaultSettings, clock: () => NOW });
    opened.push(platform);
    return platform;
  }

  async function seeded(): Promise<LocalPlatform> {
    const p = open();
    await seedDemo(p, NOW);
    return p;
  }

  return { dirs, opened, open, seeded };
}

export function count(p: LocalPlatform, table: string): number {
  return (p.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** Rows in each table a decision, a ruleset change or the worker writes. */
export function counts(p: LocalPlatform) {
  return Object.fromEntries(["decisions", "outbox", "profiles", "rulesets", "audit_log", "lists", "alerts", "metrics_minute"].map((t) => [t, count(p, t)]));
}

/** A payment like user_001's usual ones (seeded: device_abc123 in New York, 30-day average 125.50). */
export function usual(fields: Partial<TransactionInput> = {}): TransactionInput {
  return {
    transaction_id: "t-usual",
    user_id: "user_001",
    amount: 120,
    merchant_id: "MERCH_AMAZON",
    device_id: "device_abc123",
    location: "New York, US",
    timestamp: at(-HOUR),
    ...fields,
  };
}

export function parsedUsual(transactionId: string): Transaction {
  const r = parseTransaction(usual({ transaction_id: transactionId }), { settings: defaultSettings, now: NOW });
  if (!r.ok) throw new Error(JSON.stringify(r.fields));
  return r.transaction;
}

/** The decision for `input`, which must be recorded (not a duplicate, conflict or invalid). */
export async function submitted(p: LocalPlatform, input: unknown): Promise<Decision> {
  const r = await p.scoring.submit(input);
  if (r.status !== "recorded") throw new Error(`expected recorded, got ${JSON.stringify(r)}`);
  return r.decision;
}
