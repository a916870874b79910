import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLocalPlatform } from "../../src/adapters/local/index.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { portContracts } from "./suites.ts";

portContracts("local (SQLite)", async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), "fraud-contract-"));
  const p = openLocalPlatform({ dataDir: dir, settings: defaultSettings, clock });
  return {
    ...p,
    events: async () => p.db.prepare("SELECT transaction_id FROM outbox").pluck().all() as string[],
    async close() {
      p.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
