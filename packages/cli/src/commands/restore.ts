import { Platform } from "@fraud/core";
import { BackupError, restoreBackup } from "@fraud/core/local";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";

const HELP = `usage: npm run fraud -- restore DIR [--data-dir DIR]

Restores the backup in DIR (made by npm run fraud -- backup) into the data directory
(FRAUD_DATA_DIR, or --data-dir), which must not exist or be empty: a restore never writes over
data. Every file is checked against the manifest's size and SHA-256 and each database with
SQLite's quick_check before anything is put in place; a backup from a newer release (a newer
schema) is refused. Start the server on the restored directory afterwards (docs/backup.md).`;

export const command: Command = {
  name: "restore",
  summary: "Restore a backup into a new or empty data directory",
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { "data-dir": { type: "string" }, help: { type: "boolean" } } });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 1) {
      console.error(`give the backup's directory, once\n\n${HELP}`);
      return 2;
    }
    const dataDir = resolve(values["data-dir"] ?? Platform.env().FRAUD_DATA_DIR);
    try {
      await restoreBackup({ from: positionals[0]!, dataDir, log: (line) => console.log(line) });
      return 0;
    } catch (e) {
      if (!(e instanceof BackupError)) throw e;
      console.error(`error: ${e.message} (${e.code})`);
      return 1;
    }
  },
};
