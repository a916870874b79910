import { DuckDBInstance, LIST, listValue, VARCHAR, type DuckDBAppender, type DuckDBConnection } from "@duckdb/node-api";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { LAKE_COLUMNS, type LakeColumn, type LakeRecord } from "../../lake/schema.ts";

const STAGING_TYPE: Record<LakeColumn["type"], string> = {
  string: "VARCHAR",
  double: "DOUBLE",
  bigint: "BIGINT",
  boolean: "BOOLEAN",
  timestamp: "VARCHAR",
  "array<string>": "VARCHAR[]",
};

/** Column types as DuckDB reads them back from the lake's files. */
const READ_TYPE: Record<LakeColumn["type"], string> = { ...STAGING_TYPE, timestamp: "TIMESTAMP" };

const STRING_LIST = LIST(VARCHAR);
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Parquet file names carry the outbox id range they hold: part-<first>-<last>.parquet. */
const PART = /^part-(\d+)-(\d+)\.parquet$/;

/**
 * How the lake's day files are laid out when compaction (or the simulator) writes them: sorted
 * by decision first, so the few REVIEW and BLOCKED rows sit in their own row groups and a filter
 * on `decision` skips the others by their min/max statistics; row groups of 32,768 rows so that
 * skipping is fine-grained (and two threads have enough of them to share):
 * docs/decisions/026-lake-compaction-and-file-layout.md.
 */
export const LAKE_FILE_LAYOUT = {
  orderBy: `decision, "timestamp", transaction_id`,
  rowGroupSize: 32_768,
  compression: "zstd",
} as const;

/** How long a worker file stays on disk after a compacted file took its place (readers that listed it may still read it). */
export const SUPERSEDED_GRACE_MS = 60 * 60_000;

interface Part {
  name: string;
  first: number;
  last: number;
}

function parts(names: readonly string[]): Part[] {
  const found: Part[] = [];
  for (const name of names) {
    const m = PART.exec(name);
    if (m) found.push({ name, first: Number(m[1]), last: Number(m[2]) });
  }
  return found;
}

/** The worker files of one day whose outbox ids another file of that day (a compacted one) holds. */
function supersededIn(all: readonly Part[]): Map<string, Part> {
  const superseded = new Map<string, Part>();
  for (const p of all) {
    const by = all.find((o) => o !== p && o.first <= p.first && p.last <= o.last);
    if (by) superseded.set(p.name, by);
  }
  return superseded;
}

/**
 * The lake's Parquet files as readers must see them (`dt=YYYY-MM-DD/name.parquet`, sorted): every
 * file of every day except worker files a compacted file of the same day already holds. Reading
 * the glob instead would count those rows twice until the old files are removed.
 */
export function lakeFiles(root: string): string[] {
  const rawDir = join(root, "raw");
  if (!existsSync(rawDir)) return [];
  const files: string[] = [];
  for (const dir of readdirSync(rawDir, { withFileTypes: true })) {
    if (!dir.isDirectory() || !dir.name.startsWith("dt=")) continue;
    const names = readdirSync(join(rawDir, dir.name)).filter((f) => f.endsWith(".parquet"));
    const hidden = supersededIn(parts(names));
    for (const f of names) if (!hidden.has(f)) files.push(`${dir.name}/${f}`);
  }
  return files.sort();
}

/**
 * The lake's files that hold exactly the rows up to outbox id `committedId` (`dt=YYYY-MM-DD/...`
 * paths under `raw/`, sorted): every Parquet file except worker files past that id (a crash's
 * leftovers, or rows committed after it) and worker files another such file already holds. A
 * compacted file that reaches past the id is left out too: the worker files it replaced stay on
 * disk for the grace period, and hold its rows up to the id. What a backup copies beside a
 * snapshot of the database whose lake offset is `committedId`.
 */
export function lakeFilesUpTo(root: string, committedId: number): string[] {
  const rawDir = join(root, "raw");
  if (!existsSync(rawDir)) return [];
  const files: string[] = [];
  for (const dir of readdirSync(rawDir, { withFileTypes: true })) {
    if (!dir.isDirectory() || !dir.name.startsWith("dt=")) continue;
    const names = readdirSync(join(rawDir, dir.name)).filter((f) => f.endsWith(".parquet"));
    const all = parts(names);
    const later = new Set(all.filter((p) => p.last > committedId).map((p) => p.name));
    const hidden = supersededIn(all.filter((p) => !later.has(p.name)));
    for (const f of names) if (!later.has(f) && !hidden.has(f)) files.push(`${dir.name}/${f}`);
  }
  return files.sort();
}

export interface CompactOptions {
  /** The lake's committed outbox offset: only files holding ids up to it are final and merged. */
  committedId: number;
  /** Days merged: those before this UTC day (`YYYY-MM-DD`, excluded); every day when absent. */
  before?: string;
  /** Superseded files older than this after their replacement are removed (default one hour). */
  graceMs?: number;
  now?: number;
}

export interface CompactResult {
  /** Days merged now: the files merged and the rows of the new file. */
  merged: Array<{ dt: string; file: string; files: number; rows: number }>;
  /** Superseded files removed after their grace period. */
  removed: string[];
}

/** Writes decision records as Parquet under `<root>/raw/dt=YYYY-MM-DD/`, the layout the AWS lake uses. */
export class LocalLakeWriter {
  private constructor(
    readonly root: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(root: string, options: { threads?: number } = {}): Promise<LocalLakeWriter> {
    mkdirSync(join(root, "raw"), { recursive: true });
    const instance = await DuckDBInstance.create(":memory:", { threads: String(options.threads ?? 1) });
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
    await this.discard();
    await this.append(batch);
    return this.flush(firstId, lastId);
  }

  /** Records held for the next flush (appended, not yet written to a file). */
  get buffered(): number {
    return this.held;
  }

  private held = 0;
  private heldDays = new Set<string>();
  /** Open from the first append to the flush: one appender per file, not one per batch (each close is a DuckDB commit). */
  private appender: DuckDBAppender | undefined;

  /**
   * Adds records to the in-memory buffer of the next file(s): the worker appends each batch as it
   * reads it, so converting records for DuckDB costs a little at every step rather than a burst of
   * CPU at every flush (a burst that took a core from the server for most of a second every 5 s).
   */
  async append(batch: ReadonlyArray<{ dt: string; record: LakeRecord }>): Promise<void> {
    if (batch.length === 0) return;
    this.appender ??= await this.connection.createAppender("staging");
    const appender = this.appender;
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
      this.heldDays.add(dt);
    }
    this.held += batch.length;
  }

  /**
   * Writes the buffered records (outbox ids first..last) as one file per day partition, each atomic
   * (written under a temporary name, then renamed), and empties the buffer. If a write fails the
   * buffer is kept, so the same records can be flushed again.
   */
  async flush(firstId: number, lastId: number): Promise<string[]> {
    if (this.held === 0) return [];
    this.closeAppender();
    const select = LAKE_COLUMNS.map((c) => (c.type === "timestamp" ? `CAST(${quote(c.name)} AS TIMESTAMP) AS ${quote(c.name)}` : quote(c.name))).join(", ");
    const written: string[] = [];
    for (const dt of [...this.heldDays].sort()) {
      const dir = join(this.rawDir, `dt=${dt}`);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `part-${firstId}-${lastId}.parquet`);
      await this.connection.run(
        `COPY (SELECT ${select} FROM staging WHERE dt = ${sqlString(dt)}) TO ${sqlString(`${file}.tmp`)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      renameSync(`${file}.tmp`, file);
      written.push(file);
    }
    await this.discard();
    return written;
  }

  private closeAppender(): void {
    const appender = this.appender;
    this.appender = undefined;
    appender?.closeSync();
  }

  /** Empties the buffer without writing it. */
  async discard(): Promise<void> {
    try {
      this.closeAppender();
    } finally {
      await this.connection.run("DELETE FROM staging");
    }
    this.held = 0;
    this.heldDays = new Set();
  }

  /**
   * Merges each day's worker files into one file per day, laid out for reading (LAKE_FILE_LAYOUT).
   * Safe beside readers, the worker and another compaction: only committed files are merged (a
   * crash never leaves their rows to be written again); the new file is written under a temporary
   * name, its row count checked against its inputs, synced, then renamed into place (atomic); it
   * is named for the whole id range it holds, so readers (`lakeFiles`) skip the files it replaces
   * from that moment; those are removed once `graceMs` has passed. A day's merged file is merged
   * again with files that arrive later (late transactions).
   */
  async compact(options: CompactOptions): Promise<CompactResult> {
    const now = options.now ?? Date.now();
    const graceMs = options.graceMs ?? SUPERSEDED_GRACE_MS;
    const result: CompactResult = { merged: [], removed: [] };
    if (!existsSync(this.rawDir)) return result;
    const days = readdirSync(this.rawDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name.startsWith("dt="))
      .map((d) => d.name.slice(3))
      .sort();
    for (const dt of days) {
      const dir = join(this.rawDir, `dt=${dt}`);
      if (options.before === undefined || dt < options.before) {
        const all = parts(readdirSync(dir));
        const hidden = supersededIn(all);
        const inputs = all.filter((p) => !hidden.has(p.name) && p.last <= options.committedId).sort((a, b) => a.first - b.first);
        if (inputs.length >= 2) result.merged.push(await this.merge(dt, dir, inputs));
      }
      for (const [name, by] of supersededIn(parts(readdirSync(dir)))) {
        if (now - statSync(join(dir, by.name)).mtimeMs < graceMs) continue;
        rmSync(join(dir, name), { force: true });
        result.removed.push(`dt=${dt}/${name}`);
      }
    }
    return result;
  }

  private async merge(dt: string, dir: string, inputs: Part[]): Promise<CompactResult["merged"][number]> {
    const name = `part-${inputs[0]!.first}-${Math.max(...inputs.map((p) => p.last))}.parquet`;
    const file = join(dir, name);
    // A name of its own: another compaction of the same day may be writing the same file.
    const tmp = `${file}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`;
    const list = `[${inputs.map((p) => sqlString(join(dir, p.name))).join(", ")}]`;
    const source = `read_parquet(${list}, union_by_name = true, hive_partitioning = false)`;
    try {
      const expected = await this.scalar(`SELECT sum(num_rows) FROM parquet_file_metadata(${list})`);
      const present = new Set((await this.connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS().map((r) => String(r.column_name)));
      // Files written before a column existed: the merged file has it, as NULL.
      const missing = LAKE_COLUMNS.filter((c) => !present.has(c.name)).map((c) => `, CAST(NULL AS ${READ_TYPE[c.type]}) AS ${quote(c.name)}`);
      await this.connection.run(
        `COPY (SELECT *${missing.join("")} FROM ${source} ORDER BY ${LAKE_FILE_LAYOUT.orderBy}) TO ${sqlString(tmp)} ` +
          `(FORMAT parquet, COMPRESSION ${LAKE_FILE_LAYOUT.compression}, ROW_GROUP_SIZE ${LAKE_FILE_LAYOUT.rowGroupSize})`,
      );
      const written = await this.scalar(`SELECT count(*) FROM read_parquet(${sqlString(tmp)})`);
      if (written !== expected) throw new Error(`compaction of dt=${dt} wrote ${written} rows instead of ${expected}; nothing was replaced`);
      syncFile(tmp);
      renameSync(tmp, file);
      syncFile(dir);
      return { dt, file: `dt=${dt}/${name}`, files: inputs.length, rows: written };
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  private async scalar(sql: string): Promise<number> {
    return Number((await this.connection.runAndReadAll(sql)).getRows()[0]?.[0] ?? 0);
  }

  close(): void {
    try {
      this.closeAppender();
    } finally {
      this.connection.closeSync();
    }
    this.instance.closeSync();
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A glob over every Parquet file of the lake, for DuckDB's read_parquet. It includes worker files
 * a compaction has replaced but not yet removed: readers that must not count a row twice read
 * `lakeFiles` instead.
 */
export function lakeGlob(root: string): string {
  return join(root, "raw", "dt=*", "*.parquet");
}
