import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalLakeWriter } from "../../src/adapters/local/lake.ts";
import { LAKE_COLUMNS, type LakeRecord, type LakeValue } from "../../src/lake/schema.ts";
import type { ReportStore } from "../../src/platform/ports.ts";
import type { Report } from "../../src/report/report.ts";

/** A fresh directory; `cleanup` removes every one made. */
export function tempDirs() {
  const made: string[] = [];
  return {
    make(prefix = "fraud-analytics-"): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanup(): void {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Row = Record<string, LakeValue> & { transaction_id: string; timestamp: string };

/** Lake rows through the real writer (Parquet, dt partitions), one file per batch and day. */
export async function writeLake(lakeDir: string, batches: Row[][]): Promise<void> {
  const writer = await LocalLakeWriter.open(lakeDir);
  let id = 0;
  try {
    for (const rows of batches) {
      const batch = rows.map((r) => {
        const record: LakeRecord = {};
        for (const c of LAKE_COLUMNS) record[c.name] = r[c.name] ?? null;
        return { dt: r.timestamp.slice(0, 10), record };
      });
      await writer.write(batch, id + 1, id + batch.length);
      id += batch.length;
    }
  } finally {
    writer.close();
  }
}

const base = {
  currency: "XAF",
  merchant_id: "m1",
  rules_fired: [] as string[],
  score: 0,
  ruleset_version: 1,
  risk_level: "LOW",
  list_match: null,
  fallback_reason: null,
};

/**
 * The known lake of the report tests: nine decisions over three days (2025-06-01..03) and one
 * outside them, on 2025-05-20. Every figure the tests expect is worked out from these rows.
 */
export const KNOWN_ROWS: Row[] = [
  {
    ...base,
    transaction_id: "t1",
    user_id: "u1",
    amount: 100,
    merchant_category: "GROCERY",
    device_id: "dev1",
    location: "Douala, CM",
    timestamp: "2025-06-01T10:00:00.000Z",
    decision: "APPROVED",
    latency_ms: 1,
    shadow_version: 7,
    shadow_decision: "APPROVED",
    shadow_score: 0,
    shadow_rules_fired: [],
  },
  {
    ...base,
    transaction_id: "t2",
    user_id: "u1",
    amount: 2500,
    merchant_category: "ELECTRONICS",
    device_id: "dev9",
    location: "Lagos, NG",
    timestamp: "2025-06-01T10:05:00.000Z",
    decision: "BLOCKED",
    score: 90,
    rules_fired: ["DEVICE_CHANGE", "LOCATION_CHANGE"],
    latency_ms: 2,
    shadow_version: 7,
    shadow_decision: "BLOCKED",
    shadow_score: 100,
    shadow_rules_fired: ["DEVICE_CHANGE"],
  },
  {
    ...base,
    transaction_id: "t3",
    user_id: "u2",
    amount: 300,
    merchant_category: "GROCERY",
    device_id: "dev2",
    location: "Yaoundé, CM",
    timestamp: "2025-06-01T11:00:00.000Z",
    decision: "APPROVED",
    latency_ms: 3,
    shadow_version: 7,
    shadow_decision: "REVIEW",
    shadow_score: 50,
    shadow_rules_fired: ["X"],
  },
  {
    ...base,
    transaction_id: "t4",
    user_id: "u2",
    amount: 1500,
    merchant_category: "AIRTIME",
    device_id: "dev2",
    location: "Yaoundé, CM",
    timestamp: "2025-06-02T09:00:00.000Z",
    decision: "REVIEW",
    score: 60,
    rules_fired: ["VERY_HIGH_AMOUNT"],
    latency_ms: 4,
  },
  {
    ...base,
    transaction_id: "t5",
    user_id: "u3",
    amount: 50,
    merchant_category: null,
    device_id: "dev3",
    location: "Douala, CM",
    timestamp: "2025-06-02T09:30:00.000Z",
    decision: "APPROVED",
    score: 40,
    rules_fired: ["DEVICE_CHANGE"],
    latency_ms: 5,
  },
  {
    ...base,
    transaction_id: "t6",
    user_id: "u3",
    amount: 4000,
    currency: "EUR",
    merchant_category: "ELECTRONICS",
    device_id: "dev9",
    location: "Lagos, NG",
    timestamp: "2025-06-02T12:00:00.000Z",
    decision: "BLOCKED",
    score: 100,
    rules_fired: ["DEVICE_CHANGE", "VERY_HIGH_AMOUNT"],
    latency_ms: 6,
  },
  {
    ...base,
    transaction_id: "t7",
    user_id: "u1",
    amount: 1200,
    merchant_category: "GROCERY",
    device_id: "dev1",
    location: "Douala, CM",
    timestamp: "2025-06-03T08:00:00.000Z",
    decision: "REVIEW",
    score: 60,
    rules_fired: ["VERY_HIGH_AMOUNT"],
    latency_ms: 7,
  },
  {
    ...base,
    transaction_id: "t8",
    user_id: "u4",
    amount: 800,
    merchant_category: "GROCERY",
    device_id: "dev4",
    location: null,
    timestamp: "2025-06-03T08:30:00.000Z",
    decision: "APPROVED",
    latency_ms: 8,
  },
  {
    ...base,
    transaction_id: "t9",
    user_id: "u4",
    amount: 3000,
    merchant_category: "AIRTIME",
    device_id: "dev9",
    location: "Lagos, NG",
    timestamp: "2025-06-03T09:00:00.000Z",
    decision: "BLOCKED",
    score: 80,
    rules_fired: ["LOCATION_CHANGE", "VERY_HIGH_AMOUNT"],
    latency_ms: 9,
  },
  {
    ...base,
    transaction_id: "t0",
    user_id: "u5",
    amount: 99999,
    merchant_category: "GROCERY",
    device_id: "dev5",
    location: "Douala, CM",
    timestamp: "2025-05-20T10:00:00.000Z",
    decision: "APPROVED",
    latency_ms: 100,
  },
];

/** Review labels of the known lake. */
export const KNOWN_LABELS: Array<{ transaction_id: string; label: "fraud" | "legitimate" }> = [
  { transaction_id: "t2", label: "fraud" },
  { transaction_id: "t4", label: "legitimate" },
  { transaction_id: "t5", label: "legitimate" },
  { transaction_id: "t6", label: "fraud" },
  { transaction_id: "t7", label: "legitimate" },
  { transaction_id: "t9", label: "fraud" },
];

/** Saved reports in memory. */
export function memoryReportStore(): ReportStore {
  const saved = new Map<string, Report>();
  return {
    list: async () => [...saved.values()],
    get: async (name) => saved.get(name),
    save: async (def, actor) => {
      const r: Report = { ...def, builtin: false, updated_at: new Date(0).toISOString(), updated_by: actor.id };
      saved.set(def.name, r);
      return r;
    },
    remove: async (name) => {
      saved.delete(name);
    },
  };
}
