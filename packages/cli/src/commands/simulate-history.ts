import { Platform } from "@fraud/core";
import { databaseFile, openDatabase, simulateLake } from "@fraud/core/local";
import { join, resolve } from "node:path";

export interface HistoryOptions {
  days?: string;
  "tx-per-day"?: string;
  customers?: string;
  seed?: string;
  "fraud-rate"?: string;
  end?: string;
  "data-dir"?: string;
  json?: boolean;
}

/** `simulate --days D --tx-per-day N`: realistic history straight to the lake, with review labels. */
export async function simulateHistory(values: HistoryOptions): Promise<number> {
  const days = Number(values.days);
  const perDay = Number(values["tx-per-day"]);
  if (!Number.isInteger(days) || days < 1 || !Number.isInteger(perDay) || perDay < 1) {
    console.error("--days and --tx-per-day must both be given, as positive whole numbers");
    return 2;
  }
  const end = values.end === undefined ? undefined : new Date(`${values.end}T00:00:00Z`);
  if (end && Number.isNaN(end.getTime())) {
    console.error("--end must be a date, YYYY-MM-DD");
    return 2;
  }
  const dataDir = resolve(values["data-dir"] ?? Platform.env().FRAUD_DATA_DIR);
  const db = openDatabase(databaseFile(dataDir));
  try {
    const showProgress = process.stderr.isTTY === true && !values.json;
    const result = await simulateLake({
      lakeDir: join(dataDir, "lake"),
      days,
      txPerDay: perDay,
      customers: values.customers === undefined ? undefined : Number(values.customers),
      seed: values.seed === undefined ? undefined : Number(values.seed),
      fraudRate: values["fraud-rate"] === undefined ? undefined : Number(values["fraud-rate"]),
      end,
      labelsDb: db,
      onProgress: (p) => {
        if (showProgress) process.stderr.write(`\r[simulate] day ${p.days_done}/${p.days} (${p.rows_done.toLocaleString("en")} rows) `);
      },
    });
    if (showProgress) process.stderr.write("\n");
    if (values.json) console.log(JSON.stringify({ data_dir: dataDir, ...result }, null, 2));
    else {
      console.log(
        `[simulate] wrote ${result.rows.toLocaleString("en")} decisions (${result.first_day} to ${result.last_day}, ${result.customers.toLocaleString("en")} customers) ` +
          `to ${join(dataDir, "lake", "raw")} in ${(result.elapsed_ms / 1000).toFixed(1)} s (${result.rows_per_second.toLocaleString("en")} rows/s); ` +
          `${result.decisions.REVIEW.toLocaleString("en")} REVIEW, ${result.decisions.BLOCKED.toLocaleString("en")} BLOCKED, ${result.labels.toLocaleString("en")} review labels`,
      );
    }
    return 0;
  } finally {
    db.close();
  }
}
