import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLocalPlatform } from "../../src/adapters/local/index.ts";
import type { LocalLakeWriter } from "../../src/adapters/local/lake.ts";
import { LocalBacktestStore, LocalReportStore } from "../../src/adapters/local/report-store.ts";
import { OutboxWorker } from "../../src/adapters/local/worker.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { analystContracts } from "./analyst-suites.ts";

// The worker's lake step is not used here: only its alerts-and-metrics consumer runs.
const noLake = { removeUncommitted: () => [] } as unknown as LocalLakeWriter;

analystContracts("local (SQLite)", async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), "fraud-analyst-contract-"));
  const p = openLocalPlatform({ dataDir: dir, settings: defaultSettings, clock });
  const worker = new OutboxWorker(p.db, noLake);
  return {
    scoring: p.scoring,
    rules: p.rules,
    reviews: p.reviews,
    alerts: p.alerts,
    metrics: p.metrics,
    reportStore: new LocalReportStore(p.db, clock),
    backtestStore: new LocalBacktestStore(p.db),
    async deliver() {
      while (worker.stepAlertsAndMetrics() > 0);
    },
    async overwrite(ruleset) {
      p.db.prepare("UPDATE rulesets SET data = ? WHERE version = ?").run(JSON.stringify(ruleset), ruleset.version);
    },
    async close() {
      p.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
