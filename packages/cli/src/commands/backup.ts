import { Platform } from "@fraud/core";
import { BackupError, createBackup } from "@fraud/core/local";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";

const HELP = `usage: npm run fraud -- backup --out DIR [--data-dir DIR] [--json]

Copies the data directory (FRAUD_DATA_DIR, or --data-dir) into DIR, a new or empty directory,
while the server, the worker and the dashboard keep running: every SQLite database with SQLite's
online backup (each a snapshot of one moment), the lake's Parquet files that hold the rows of that
moment, and secrets.json; then manifest.json (files, sizes, SHA-256 checksums, modes, the schema
version). The backup is written under a temporary name beside DIR and renamed to DIR when it is
complete. It holds the API key and password hashes: keep it as private as the data directory
(both are owner-only, 0700). Restore with: npm run fraud -- restore DIR (docs/backup.md).`;

export const command: Command = {
  name: "backup",
  summary: "Copy the data directory, consistently, while the server runs",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { out: { type: "string" }, "data-dir": { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean" } },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (!values.out) {
      console.error(`--out DIR is required\n\n${HELP}`);
      return 2;
    }
    const dataDir = resolve(values["data-dir"] ?? Platform.env().FRAUD_DATA_DIR);
    try {
      const result = await createBackup({ dataDir, out: values.out, log: (line) => (values.json ? console.error(line) : console.log(line)) });
      if (values.json)
        console.log(JSON.stringify({ dir: result.dir, bytes: result.bytes, elapsed_ms: Math.round(result.elapsedMs), ...result.manifest }, null, 2));
      return 0;
    } catch (e) {
      if (!(e instanceof BackupError)) throw e;
      console.error(`error: ${e.message} (${e.code})`);
      return 1;
    }
  },
};
