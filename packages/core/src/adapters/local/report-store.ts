import { Audit } from "../../audit/audit.ts";
import { BacktestRecord, BacktestResult } from "../../backtest/backtest.ts";
import { VisibleError } from "../../errors/errors.ts";
import type { BacktestStore, ReportStore } from "../../platform/ports.ts";
import { Report, ReportDefinition } from "../../report/report.ts";
import { audit, guardWrite, type Db } from "./sqlite.ts";
import { type Actor } from "../../user/users.ts";

type ReportRow = { data: string; updated_at: string; updated_by: string };

function toReport(row: ReportRow): Report {
  return Report.parse({ ...ReportDefinition.parse(JSON.parse(row.data)), builtin: false, updated_at: row.updated_at, updated_by: row.updated_by });
}

/** Analysts' reports, one row per name; every change is audited. */
export class LocalReportStore implements ReportStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list(): Promise<Report[]> {
    return this.db.prepare<[], ReportRow>("SELECT data, updated_at, updated_by FROM reports ORDER BY name").all().map(toReport);
  }

  async get(name: string): Promise<Report | undefined> {
    const row = this.db.prepare<[string], ReportRow>("SELECT data, updated_at, updated_by FROM reports WHERE name = ?").get(name);
    return row ? toReport(row) : undefined;
  }

  async save(definition: ReportDefinition, actor: Actor): Promise<Report> {
    const def = ReportDefinition.parse(definition);
    const at = this.clock().toISOString();
    return guardWrite(() =>
      this.db
        .transaction(() => {
          const before = this.db.prepare<[string], { data: string }>("SELECT data FROM reports WHERE name = ?").get(def.name);
          this.db
            .prepare(
              `INSERT INTO reports (name, data, updated_at, updated_by) VALUES (?, ?, ?, ?)
             ON CONFLICT(name) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
            )
            .run(def.name, JSON.stringify(def), at, actor.id);
          audit(this.db, Audit.reportSaved({ by: actor, at }, def, before ? JSON.parse(before.data) : undefined));
          return { ...def, builtin: false, updated_at: at, updated_by: actor.id };
        })
        .immediate(),
    );
  }

  async remove(name: string, actor: Actor): Promise<void> {
    const at = this.clock().toISOString();
    guardWrite(() =>
      this.db
        .transaction(() => {
          const before = this.db.prepare<[string], { data: string }>("SELECT data FROM reports WHERE name = ?").get(name);
          if (!before) throw new VisibleError("REPORT_NOT_FOUND", `no saved report named '${name}'`);
          this.db.prepare("DELETE FROM reports WHERE name = ?").run(name);
          audit(this.db, Audit.reportDeleted({ by: actor, at }, name, JSON.parse(before.data)));
        })
        .immediate(),
    );
  }
}

type BacktestRow = { id: number; ruleset_version: number; created_at: string; created_by: string; data: string };

function toBacktest(row: BacktestRow): BacktestRecord {
  return BacktestRecord.parse({
    ...BacktestResult.parse(JSON.parse(row.data)),
    id: row.id,
    ruleset_version: row.ruleset_version,
    created_at: row.created_at,
    created_by: row.created_by,
  });
}

/** Backtest results, kept with the ruleset version they tested. */
export class LocalBacktestStore implements BacktestStore {
  constructor(private readonly db: Db) {}

  async save(result: BacktestResult & { ruleset_version: number }, actor: Actor, at: Date): Promise<BacktestRecord> {
    const data = BacktestResult.parse(result);
    const created = at.toISOString();
    return guardWrite(() =>
      this.db
        .transaction(() => {
          const { lastInsertRowid } = this.db
            .prepare("INSERT INTO backtests (ruleset_version, created_at, created_by, data) VALUES (?, ?, ?, ?)")
            .run(result.ruleset_version, created, actor.id, JSON.stringify(data));
          const id = Number(lastInsertRowid);
          audit(this.db, Audit.backtestRun({ by: actor, at: created }, id, result.ruleset_version, data));
          return { ...data, id, ruleset_version: result.ruleset_version, created_at: created, created_by: actor.id };
        })
        .immediate(),
    );
  }

  async list(rulesetVersion: number): Promise<BacktestRecord[]> {
    return this.db
      .prepare<[number], BacktestRow>("SELECT id, ruleset_version, created_at, created_by, data FROM backtests WHERE ruleset_version = ? ORDER BY id DESC")
      .all(rulesetVersion)
      .map(toBacktest);
  }

  async get(id: number): Promise<BacktestRecord | undefined> {
    const row = this.db.prepare<[number], BacktestRow>("SELECT id, ruleset_version, created_at, created_by, data FROM backtests WHERE id = ?").get(id);
    return row ? toBacktest(row) : undefined;
  }
}
