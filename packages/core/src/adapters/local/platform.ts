import { statfsSync } from "node:fs";
import { join } from "node:path";
import type { Platform } from "../../platform/platform.ts";
import { DEFAULT_REPORT_LIMITS, type ReportLimits } from "../../report/report.ts";
import type { Settings } from "../../settings/settings.ts";
import { Scoring } from "../../decision/scoring.ts";
import { Backtests } from "../../backtest/backtest.ts";
import { Reports } from "../../report/service.ts";
import { LocalAlertInbox } from "./alert-inbox.ts";
import { LocalApiKeyStore } from "./api-keys.ts";
import { LocalAuditTrail } from "./audit-trail.ts";
import { LocalDecisionLog } from "./decision-log.ts";
import { LocalTestDecisionLog } from "./test-decision-log.ts";
import { LocalListStore } from "./list-store.ts";
import { LocalLiveMetrics } from "./live-metrics.ts";
import { LocalProfileStore } from "./profile-store.ts";
import { ReportProcessRunner } from "./report-process.ts";
import { LocalBacktestStore, LocalReportStore } from "./report-store.ts";
import { LocalReviewStore } from "./review-store.ts";
import { LocalRuleStore } from "./rule-store.ts";
import { isUnavailable, openDatabase, storeHealth, type Db } from "./sqlite.ts";
import { LocalSignInThrottle } from "./sign-in-throttle.ts";
import { LocalSessionStore, LocalUserStore } from "./user-store.ts";

/** See LocalPlatformOptions.changesCheckMs. */
const CHANGES_CHECK_MS = 250;

export interface LocalPlatformOptions {
  dataDir: string;
  settings: Settings;
  synchronous?: "NORMAL" | "FULL";
  /** See OpenOptions.cacheMiB. */
  sqliteCacheMiB?: number;
  /** See OpenOptions.walAutocheckpointPages. */
  walAutocheckpointPages?: number;
  clock?: () => Date;
  /** After a failed write, health stays degraded this long (ms). */
  unhealthyAfterFailureMs?: number;
  /** Health is degraded below this much free space on the data dir's disk (bytes). */
  minFreeBytes?: number;
  /**
   * How often this process looks for changes that other processes (the dashboard, the CLI) made to
   * the rulesets, the allow/block lists and the API keys (ms; default 250; 0: before every use).
   * Each look is a small read of a version number; changes made through this process apply at once.
   */
  changesCheckMs?: number;
  /** How far a report (and a backtest's scan) may go; each runs in a process of its own (report-process.ts). */
  reports?: Partial<ReportLimits>;
}

/** The composition root of the embedded stack: one SQLite file, every store, the scoring service. */
export interface LocalPlatform extends Platform {
  readonly deployment: "local";
  dataDir: string;
  lakeDir: string;
  db: Db;
  decisions: LocalDecisionLog;
  testDecisions: LocalTestDecisionLog;
  profiles: LocalProfileStore;
  rules: LocalRuleStore;
  lists: LocalListStore;
  apiKeys: LocalApiKeyStore;
  users: LocalUserStore;
  sessions: LocalSessionStore;
  signInThrottle: LocalSignInThrottle;
  reviews: LocalReviewStore;
  alerts: LocalAlertInbox;
  auditTrail: LocalAuditTrail;
  metrics: LocalLiveMetrics;
  scoring: Scoring;
  /** Saved reports over the lake (DuckDB, in report processes started on first use). */
  reports: Reports;
  /** Backtests of ruleset versions over the lake, saved with the version (their scans in a report process of their own). */
  backtests: Backtests;
  reportRunner: ReportProcessRunner;
  settings: Settings;
  /** Whether the store accepts writes now: no recent failed write, free space, and a real write succeeds. */
  healthy(): boolean;
  close(): void;
}

export function databaseFile(dataDir: string): string {
  return join(dataDir, "fraud.db");
}

export function openLocalPlatform(options: LocalPlatformOptions): LocalPlatform {
  const clock = options.clock ?? (() => new Date());
  const db = openDatabase(databaseFile(options.dataDir), {
    synchronous: options.synchronous,
    walAutocheckpointPages: options.walAutocheckpointPages,
    cacheMiB: options.sqliteCacheMiB,
  });
  const decisions = new LocalDecisionLog(db);
  const rules = new LocalRuleStore(db, clock);
  const changesCheckMs = options.changesCheckMs ?? CHANGES_CHECK_MS;
  const lists = new LocalListStore(db, clock, changesCheckMs);
  const lakeDir = join(options.dataDir, "lake");
  const limits = { ...DEFAULT_REPORT_LIMITS, ...options.reports };
  const engine = {
    lakeDir,
    databaseFile: databaseFile(options.dataDir),
    memoryMb: limits.memoryMb,
    threads: limits.threads,
    spillDir: join(options.dataDir, "report-spill"),
  };
  const reportRunner = new ReportProcessRunner({ ...engine, concurrency: limits.concurrency, queue: limits.queue });
  // A backtest scans for minutes: in a process of its own, so that it never makes reports wait.
  const backtestRunner = new ReportProcessRunner({ ...engine, concurrency: 1, queue: 1 });
  const testDecisions = new LocalTestDecisionLog(db, clock);
  const scoring = new Scoring({
    decisions,
    tests: testDecisions,
    rules,
    lists,
    shadow: rules,
    settings: options.settings,
    clock,
    rulesetCacheMs: changesCheckMs,
  });
  rules.onChange(() => scoring.invalidate());
  return {
    deployment: "local",
    dataDir: options.dataDir,
    lakeDir,
    db,
    decisions,
    testDecisions,
    profiles: new LocalProfileStore(db, clock),
    rules,
    lists,
    apiKeys: new LocalApiKeyStore(db, clock, changesCheckMs),
    users: new LocalUserStore(db, clock),
    sessions: new LocalSessionStore(db, clock),
    signInThrottle: new LocalSignInThrottle(db, clock),
    reviews: new LocalReviewStore(db, clock),
    alerts: new LocalAlertInbox(db, clock),
    auditTrail: new LocalAuditTrail(db),
    metrics: new LocalLiveMetrics(db),
    scoring,
    reports: new Reports({ store: new LocalReportStore(db, clock), runner: reportRunner, clock, timeoutMs: limits.timeoutMs }),
    backtests: new Backtests({ runner: backtestRunner, rules, store: new LocalBacktestStore(db), settings: options.settings, clock }),
    reportRunner,
    settings: options.settings,
    healthy: () => {
      if (performance.now() - storeHealth.lastUnavailableAt < (options.unhealthyAfterFailureMs ?? 5_000)) return false;
      const fs = statfsSync(options.dataDir);
      if (fs.bavail * fs.bsize < (options.minFreeBytes ?? 16 * 1024 * 1024)) return false;
      try {
        db.prepare("INSERT INTO kv (key, value) VALUES ('health', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(clock().toISOString());
        return true;
      } catch (e) {
        if (isUnavailable(e)) return false;
        throw e;
      }
    },
    close: () => {
      void reportRunner.close();
      void backtestRunner.close();
      db.close();
    },
  };
}
