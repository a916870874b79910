import { DuckDBInstance } from "@duckdb/node-api";
import { mkdirSync, renameSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { everydayAmountSql, SYNTHETIC_MERCHANTS, SYNTHETIC_TYPES, usualAmountSql } from "../../demo/synthetic.ts";
import { LAKE_COLUMNS } from "../../lake/schema.ts";
import { LAKE_FILE_LAYOUT } from "./lake.ts";
import { guardWrite, type Db } from "./sqlite.ts";

export interface SimulateLakeOptions {
  /** The lake root (`<data dir>/lake`). */
  lakeDir: string;
  days: number;
  txPerDay: number;
  /** Distinct customers (default: about 15 transactions each over the period). */
  customers?: number;
  /** Last UTC day written (default: yesterday), so that history is in the past. */
  end?: Date;
  seed?: number;
  /** Share of fraudulent transactions (default 0.5%). */
  fraudRate?: number;
  /** Labels of the reviewed transactions go into this database's review queue. */
  labelsDb?: Db;
  threads?: number;
  /** Names the files (`sim-<runId>.parquet`) and the transaction ids; default from the clock. */
  runId?: string;
  onProgress?: (p: { days_done: number; days: number; rows_done: number }) => void;
}

export interface SimulateLakeResult {
  rows: number;
  first_day: string;
  last_day: string;
  customers: number;
  decisions: { APPROVED: number; REVIEW: number; BLOCKED: number };
  fraud: number;
  labels: number;
  elapsed_ms: number;
  rows_per_second: number;
}

const DAY_US = 86_400_000_000;
const HOME_CITIES = ["Douala, CM", "Yaoundé, CM", "Garoua, CM", "Bamenda, CM", "Bafoussam, CM", "Maroua, CM", "Kumba, CM", "Limbe, CM"];
const FAR_CITIES = ["Lagos, NG", "Abidjan, CI", "Paris, FR", "Dubai, AE", "Dakar, SN", "London, GB"];
const CATEGORIES = ["GROCERY", "AIRTIME", "TRANSPORT", "BILLS", "ELECTRONICS", "RESTAURANT"];
const sqlList = (xs: readonly string[]) => `[${xs.map((x) => `'${x.replaceAll("'", "''")}'`).join(", ")}]`;

/**
 * Realistic decision history written straight to the lake as Parquet, in the lake's columns and
 * layout, by one DuckDB query (generate_series, no per-row JavaScript): for demos and benchmarks.
 *
 * Each customer has a usual device, city and amount level; legitimate customers now and then
 * change phone, travel or make a large purchase; fraud (account takeover) comes from an unknown
 * device, often from abroad, for several times the usual amount. The rules that fired and the
 * decision follow the demo ruleset's rules on those signals; analysts labelled 90% of what was
 * flagged, and chargebacks later revealed 70% of the fraud that was approved.
 */
export async function simulateLake(options: SimulateLakeOptions): Promise<SimulateLakeResult> {
  const started = performance.now();
  const days = Math.trunc(options.days);
  const perDay = Math.trunc(options.txPerDay);
  if (!(days >= 1 && days <= 3_660)) throw new RangeError("days must be between 1 and 3660");
  if (!(perDay >= 1 && perDay <= 50_000_000)) throw new RangeError("tx per day must be between 1 and 50,000,000");
  const total = days * perDay;
  const customers = Math.max(1, Math.trunc(options.customers ?? Math.max(100, Math.round(total / 15))));
  const seed = Math.trunc(options.seed ?? 42) >>> 0;
  const fraudRate = options.fraudRate ?? 0.005;
  if (!(fraudRate >= 0 && fraudRate <= 1)) throw new RangeError("fraud rate must be between 0 and 1");
  const runId = options.runId ?? Date.now().toString(36);
  if (!/^[a-z0-9-]{1,40}$/.test(runId)) throw new RangeError("run id must be lower-case letters, digits and dashes");
  const end = options.end ?? new Date(Date.now() - 86_400_000);
  const lastDayMs = Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate());
  const firstDayMs = lastDayMs - (days - 1) * 86_400_000;
  const rawDir = join(options.lakeDir, "raw");
  mkdirSync(rawDir, { recursive: true });

  const u = (k: number) => `(hash(i, ${seed}, ${k}) % 1000000) / 1000000.0`;
  const spacing = Math.floor(DAY_US / perDay);
  // Core's synthetic customers (demo/synthetic.ts), with amounts in francs CFA.
  const usual = usualAmountSql("k", "xaf");
  const simSql = (from: number, to: number) => `
WITH r AS (
  SELECT
    i,
    ${BigInt(firstDayMs) * 1000n} + (i // ${perDay}) * ${DAY_US} + (i % ${perDay}) * ${spacing} + CAST(hash(i, ${seed}, 0) % ${Math.max(1, spacing)} AS BIGINT) AS ts_us,
    CAST(hash(i, ${seed}, 6) % ${customers} AS BIGINT) AS k,
    CAST(hash(i, ${seed}, 7) % ${SYNTHETIC_MERCHANTS} AS BIGINT) AS m,
    ${u(1)} < ${fraudRate} AS is_fraud,
    ${u(2)} AS u_amount, ${u(3)} AS u_device, ${u(4)} AS u_place, ${u(5)} AS u_latency, ${u(8)} AS u_label, ${u(9)} AS u_type
  FROM range(${from}, ${to}) t(i)
), f AS (
  SELECT *,
    ${usual} AS usual,
    CASE
      WHEN is_fraud THEN round((${usual}) * (4 + u_amount * 8))
      WHEN u_device > 0.997 THEN round((${usual}) * 6)
      ELSE ${everydayAmountSql(usual, "u_amount", "xaf")}
    END AS amount,
    is_fraud OR u_device < 0.01 AS new_device,
    is_fraud AND u_place < 0.6 AS far
  FROM r
), s AS (
  SELECT *,
    list_filter([
      CASE WHEN amount > 5 * usual THEN 'HIGH_AMOUNT_VS_HISTORY' END,
      CASE WHEN new_device THEN 'DEVICE_CHANGE' END,
      CASE WHEN far THEN 'LOCATION_CHANGE' END,
      CASE WHEN new_device AND amount >= 3 * usual THEN 'NEW_DEVICE_LARGE_AMOUNT' END
    ], lambda x: x IS NOT NULL) AS rules_fired,
    least(100, (CASE WHEN amount > 5 * usual THEN 80 ELSE 0 END) + (CASE WHEN new_device THEN 40 ELSE 0 END)
      + (CASE WHEN far THEN 70 ELSE 0 END) + (CASE WHEN new_device AND amount >= 3 * usual THEN 30 ELSE 0 END)) AS score
  FROM f
)
SELECT
  'sim-${runId}-' || i AS transaction_id,
  'cust_' || k AS user_id,
  CAST(amount AS DOUBLE) AS amount,
  'XAF' AS currency,
  'merchant_' || m AS merchant_id,
  ${sqlList(CATEGORIES)}[1 + CAST(hash(k, ${seed}, 11) % ${CATEGORIES.length} AS BIGINT)] AS merchant_category,
  CASE WHEN is_fraud THEN 'device_x' || (hash(i, ${seed}, 10) % 100000) WHEN new_device THEN 'device_' || k || '_b' ELSE 'device_' || k END AS device_id,
  CASE WHEN far THEN ${sqlList(FAR_CITIES)}[1 + CAST(u_place * 10 AS BIGINT) % ${FAR_CITIES.length}] ELSE ${sqlList(HOME_CITIES)}[1 + k % ${HOME_CITIES.length}] END AS location,
  CAST(NULL AS VARCHAR) AS ip_address,
  make_timestamp(ts_us) AS "timestamp",
  CASE WHEN is_fraud THEN (CASE WHEN u_type < 0.5 THEN 'CASH_OUT' ELSE 'TRANSFER' END) ELSE ${sqlList(SYNTHETIC_TYPES)}[1 + CAST(u_type * ${SYNTHETIC_TYPES.length} AS BIGINT) % ${SYNTHETIC_TYPES.length}] END AS "type",
  CAST(NULL AS VARCHAR) AS counterparty_id,
  CAST(NULL AS DOUBLE) AS balance_before,
  CAST(NULL AS DOUBLE) AS balance_after,
  CAST(NULL AS DOUBLE) AS latitude,
  CAST(NULL AS DOUBLE) AS longitude,
  CASE WHEN score >= 80 THEN 'BLOCKED' WHEN score >= 50 THEN 'REVIEW' ELSE 'APPROVED' END AS decision,
  CAST(score AS BIGINT) AS score,
  rules_fired,
  CAST(1 AS BIGINT) AS ruleset_version,
  CAST(NULL AS VARCHAR) AS list_match,
  CAST(NULL AS VARCHAR) AS fallback_reason,
  CASE WHEN k % 20 = 0 THEN 'HIGH' WHEN k % 5 = 0 THEN 'MEDIUM' ELSE 'LOW' END AS risk_level,
  round(0.3 + -ln(1 - u_latency * 0.999) * 0.8, 3) AS latency_ms,
  make_timestamp(ts_us + CAST(round((0.3 + -ln(1 - u_latency * 0.999) * 0.8) * 1000) AS BIGINT)) AS decided_at,
  make_timestamp(${BigInt(firstDayMs) * 1000n} - (30 + CAST(hash(k, ${seed}) % 1000 AS BIGINT)) * ${DAY_US}) AS account_created,
  CAST(NULL AS BIGINT) AS shadow_version,
  CAST(NULL AS VARCHAR) AS shadow_decision,
  CAST(NULL AS BIGINT) AS shadow_score,
  CAST(NULL AS VARCHAR[]) AS shadow_rules_fired,
  is_fraud,
  CASE
    WHEN score >= 50 AND u_label < 0.9 THEN (CASE WHEN is_fraud THEN 'fraud' ELSE 'legitimate' END)
    WHEN score < 50 AND is_fraud AND u_label < 0.7 THEN 'fraud'
  END AS label
FROM s`;

  const instance = await DuckDBInstance.create(":memory:", { threads: String(options.threads ?? availableParallelism()) });
  const conn = await instance.connect();
  try {
    await conn.run(`CREATE TEMP VIEW sim AS ${simSql(0, total)}`);
    const columns = LAKE_COLUMNS.map((c) => `"${c.name}"`).join(", ");
    // One query and one file per day: cheaper than a partitioned write, and progress can be told.
    for (let d = 0; d < days; d++) {
      const day = new Date(firstDayMs + d * 86_400_000).toISOString().slice(0, 10);
      const dir = join(rawDir, `dt=${day}`);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `sim-${runId}.parquet`);
      // Laid out as compaction lays out a closed day, so reports read history as they would the worker's.
      await conn.run(
        `COPY (SELECT ${columns} FROM (${simSql(d * perDay, (d + 1) * perDay)}) ORDER BY ${LAKE_FILE_LAYOUT.orderBy}) TO '${file.replaceAll("'", "''")}.tmp' ` +
          `(FORMAT parquet, COMPRESSION ${LAKE_FILE_LAYOUT.compression}, ROW_GROUP_SIZE ${LAKE_FILE_LAYOUT.rowGroupSize})`,
      );
      renameSync(`${file}.tmp`, file);
      options.onProgress?.({ days_done: d + 1, days, rows_done: (d + 1) * perDay });
    }
    const stats = (
      await conn.runAndReadAll(
        "SELECT count_if(decision = 'APPROVED') AS a, count_if(decision = 'REVIEW') AS r, count_if(decision = 'BLOCKED') AS b, count_if(is_fraud) AS f, count(label) AS l FROM sim",
      )
    ).getRowObjectsJS()[0]!;
    let labels = 0;
    if (options.labelsDb) {
      const db = options.labelsDb;
      const insert = db.prepare(
        "INSERT INTO reviews (transaction_id, status, assignee, label, updated_at, updated_by) VALUES (?, 'closed', NULL, ?, ?, 'simulate') ON CONFLICT(transaction_id) DO NOTHING",
      );
      const result = await conn.stream("SELECT transaction_id, label, strftime(decided_at, '%Y-%m-%dT%H:%M:%S.%gZ') FROM sim WHERE label IS NOT NULL");
      for await (const rows of result.yieldRows()) {
        guardWrite(() =>
          db.transaction(() => {
            for (const [id, label, at] of rows) labels += insert.run(String(id), String(label), String(at)).changes;
          })(),
        );
      }
    }
    const ms = performance.now() - started;
    return {
      rows: total,
      first_day: new Date(firstDayMs).toISOString().slice(0, 10),
      last_day: new Date(lastDayMs).toISOString().slice(0, 10),
      customers,
      decisions: { APPROVED: Number(stats.a), REVIEW: Number(stats.r), BLOCKED: Number(stats.b) },
      fraud: Number(stats.f),
      labels: options.labelsDb ? labels : Number(stats.l),
      elapsed_ms: Math.round(ms),
      rows_per_second: Math.round(total / (ms / 1000)),
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
