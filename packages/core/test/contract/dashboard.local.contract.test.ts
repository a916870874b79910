import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLocalPlatform } from "../../src/adapters/local/index.ts";
import { defaultSettings } from "../../src/settings.ts";
import { dashboardContracts } from "./dashboard-suites.ts";

dashboardContracts("local (SQLite)", async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), "fraud-dashboard-contract-"));
  const p = openLocalPlatform({ dataDir: dir, settings: defaultSettings, clock });
  return {
    users: p.users,
    sessions: p.sessions,
    auditTrail: p.auditTrail,
    async close() {
      p.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
