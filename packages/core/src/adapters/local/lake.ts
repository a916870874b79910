import { DuckDBInstance, LIST, listValue, VARCHAR, type DuckDBAppender, type DuckDBConnection } from "@duckdb/node-api";
import { mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LAKE_COLUMNS, type LakeColumn, type LakeRecord } from "../../lake-schema.ts";

const STAGING_TYPE: Record<LakeColumn["type"], string> = {
  string: "VARCHAR",
  double: "DOUBLE",
  bigint: "BIGINT",
  boolean: "BOOLEAN",
  timestamp: "VARCHAR",
  "array<string>": "VARCHAR[]",
};

const STRING_LIST = LIST(VARCHAR);
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Parquet file names carry the outbox id range they hold: part-<first>-<last>.parquet. */
const PART = /^part-(\d+)-(\d+)\.parquet$/;

/** Writes decision records as Parquet under `<root>/raw/dt=YYYY-MM-DD/`, the layout the AWS lake uses. */
export class LocalLakeWriter {
  private constructor(
    readonly root: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(root: string): Promise<LocalLakeWriter> {
    mkdirSync(join(root, "raw"), { recursive: true });
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const connection = await instance.connect();
    const columns = [...LAKE_COLUMNS.map((c) => `${quote(c.name)} ${STAGING_TYPE[c.type]}`), "dt VARCHAR"];
    await connection.run(`CREATE TABLE staging (${columns.join(", ")})`);
    return new LocalLakeWriter(root, instance, connection);
  }

  get rawDir(): string {
    return join(this.root, "raw");
  }

  /**
   * Removes files holding records after `committedId`: they were written by a run that crashed
   * before it could record its progress, and will be written again.
   */
  removeUncommitted(committedId: number): string[] {
    const removed: string[] = [];
    for (const dir of readdirSync(this.rawDir, { withFileTypes: true })) {
      if (!dir.isDirectory() || !dir.name.startsWith("dt=")) continue;
      for (const f of readdirSync(join(this.rawDir, dir.name))) {
        const m = PART.exec(f);
        const stale = (m && Number(m[1]) > committedId) || f.endsWith(".tmp");
        if (stale) {
          rmSync(join(this.rawDir, dir.name, f));
          removed.push(join(dir.name, f));
        }
      }
    }
    return removed;
  }

  /** Writes one batch (outbox ids first..last); one file per day partition; atomic per file. */
  async write(batch: ReadonlyArray<{ dt: string; record: LakeRecord }>, firstId: number, lastId: number): Promise<string[]> {
    if (batch.length === 0) return [];
    await this.connection.run("DELETE FROM staging");
    const appender: DuckDBAppender = await this.connection.createAppender("staging");
    for (const { dt, record } of batch) {
      for (const col of LAKE_COLUMNS) {
        const v = record[col.name];
        if (v === null || v === undefined) appender.appendNull();
        else if (col.type === "double") appender.appendDouble(Number(v));
        else if (col.type === "bigint") appender.appendBigInt(BigInt(Math.trunc(Number(v))));
        else if (col.type === "boolean") appender.appendBoolean(Boolean(v));
        else if (col.type === "array<string>") appender.appendList(listValue((v as string[]).map(String)), STRING_LIST);
        else appender.appendVarchar(String(v));
      }
      appender.appendVarchar(dt);
      appender.endRow();
    }
    appender.closeSync();
    const select = LAKE_COLUMNS.map((c) =>
      c.type === "timestamp" ? `CAST(${quote(c.name)} AS TIMESTAMP) AS ${quote(c.name)}` : quote(c.name),
    ).join(", ");
    const days = [...new Set(batch.map((b) => b.dt))].sort();
    const written: string[] = [];
    for (const dt of days) {
      const dir = join(this.rawDir, `dt=${dt}`);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `part-${firstId}-${lastId}.parquet`);
      await this.connection.run(
        `COPY (SELECT ${select} FROM staging WHERE dt = ${sqlString(dt)}) TO ${sqlString(`${file}.tmp`)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      renameSync(`${file}.tmp`, file);
      written.push(file);
    }
    return written;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** A glob over every Parquet file of the lake, for DuckDB's read_parquet. */
export function lakeGlob(root: string): string {
  return join(root, "raw", "dt=*", "*.parquet");
}
