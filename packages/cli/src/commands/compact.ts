import { Platform } from "@fraud/core";
import { committedLakeId, databaseFile, firstOpenDay, LocalLakeWriter, openDatabase } from "@fraud/core/local";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";

const HELP = `usage: npm run fraud -- compact [--all-days] [--grace-minutes N] [--data-dir DIR] [--json]

Merges the outbox worker's Parquet files of each closed UTC day (ended more than an hour ago) into
one file per day, sorted for reading: reports then open one file per day instead of one per
batch. The worker does the same by itself every ten minutes; this runs it now. --all-days merges
open days too. Safe while the server, the worker and reports run: only files the worker has
committed are merged, the new file replaces them atomically, and the replaced files are removed
after --grace-minutes (default 60) on a later pass.`;

export const command: Command = {
  name: "compact",
  summary: "Merge the lake's small per-batch files into one file per closed day",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        "all-days": { type: "boolean", default: false },
        "grace-minutes": { type: "string" },
        "data-dir": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean" },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const grace = values["grace-minutes"] === undefined ? undefined : Number(values["grace-minutes"]);
    if (grace !== undefined && !(Number.isFinite(grace) && grace >= 0)) {
      console.error("--grace-minutes must be a number of minutes, 0 or more");
      return 2;
    }
    const dataDir = resolve(values["data-dir"] ?? Platform.env().FRAUD_DATA_DIR);
    const db = openDatabase(databaseFile(dataDir));
    const lake = await LocalLakeWriter.open(join(dataDir, "lake"), { threads: availableParallelism() });
    try {
      const started = performance.now();
      const result = await lake.compact({
        committedId: committedLakeId(db),
        before: values["all-days"] ? undefined : firstOpenDay(Date.now()),
        graceMs: grace === undefined ? undefined : grace * 60_000,
      });
      const seconds = (performance.now() - started) / 1000;
      if (values.json) console.log(JSON.stringify({ ...result, elapsed_s: Math.round(seconds * 10) / 10 }, null, 2));
      else {
        for (const m of result.merged) console.log(`[compact] ${m.dt}: ${m.files} files -> ${m.file} (${m.rows.toLocaleString("en")} rows)`);
        console.log(
          `[compact] ${result.merged.length} day(s) merged, ${result.removed.length} replaced file(s) removed, in ${seconds.toFixed(1)} s` +
            (result.merged.length > 0 ? "; the replaced files are removed after the grace period, on a later pass" : ""),
        );
      }
      return 0;
    } finally {
      lake.close();
      db.close();
    }
  },
};
