import { join } from "node:path";
import type { Settings } from "../../settings.ts";
import { Scoring } from "../../scoring.ts";
import { LocalApiKeyStore } from "./api-keys.ts";
import { LocalDecisionLog } from "./decision-log.ts";
import { LocalListStore } from "./list-store.ts";
import { LocalProfileStore } from "./profile-store.ts";
import { LocalRuleStore } from "./rule-store.ts";
import { isUnavailable, openDatabase, type Db } from "./sqlite.ts";

export interface LocalPlatformOptions {
  dataDir: string;
  settings: Settings;
  synchronous?: "NORMAL" | "FULL";
  clock?: () => Date;
}

/** The composition root of the embedded stack: one SQLite file, every store, the scoring service. */
export interface LocalPlatform {
  dataDir: string;
  lakeDir: string;
  db: Db;
  decisions: LocalDecisionLog;
  profiles: LocalProfileStore;
  rules: LocalRuleStore;
  lists: LocalListStore;
  apiKeys: LocalApiKeyStore;
  scoring: Scoring;
  settings: Settings;
  /** Whether the store accepts writes now (a real write, so a full disk shows). */
  healthy(): boolean;
  close(): void;
}

export function databaseFile(dataDir: string): string {
  return join(dataDir, "fraud.db");
}

export function openLocalPlatform(options: LocalPlatformOptions): LocalPlatform {
  const clock = options.clock ?? (() => new Date());
  const db = openDatabase(databaseFile(options.dataDir), { synchronous: options.synchronous });
  const decisions = new LocalDecisionLog(db);
  const rules = new LocalRuleStore(db, clock);
  const lists = new LocalListStore(db, clock);
  return {
    dataDir: options.dataDir,
    lakeDir: join(options.dataDir, "lake"),
    db,
    decisions,
    profiles: new LocalProfileStore(db, clock),
    rules,
    lists,
    apiKeys: new LocalApiKeyStore(db, clock),
    scoring: new Scoring({ decisions, rules, lists, settings: options.settings, clock }),
    settings: options.settings,
    healthy: () => {
      try {
        db.prepare("INSERT INTO kv (key, value) VALUES ('health', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(clock().toISOString());
        return true;
      } catch (e) {
        if (isUnavailable(e)) return false;
        throw e;
      }
    },
    close: () => db.close(),
  };
}
