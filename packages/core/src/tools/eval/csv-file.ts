import { VisibleError } from "../../errors/errors.ts";
import type { CompiledRuleset } from "../../ruleset/ruleset.ts";
import { headerIndex, parseCsvLine, recordOf } from "./csv.ts";
import { customerHalf, type EvalFormat } from "./formats.ts";
import { Replay, type ReplayReport } from "./replay.ts";

/*
 * A labelled data set file replayed in time order. The public data sets run to millions of rows
 * and are not always sorted by time: the file is read once to index each row's time and place,
 * then streamed again when it is in order, or read whole and its rows taken in time order.
 */

/** A data set file as bytes; the command line reads it from disk, the tests from memory. */
export interface CsvFile {
  /** How messages name the file. */
  name: string;
  /** The file's bytes, from start to end, in chunks. */
  chunks(): AsyncIterable<Uint8Array>;
  size(): number;
  /** The whole file, for a file that must be sorted. */
  readAll(): Uint8Array;
}

/** Time, offset and length of every data row, and whether the file is already in time order. */
export interface CsvFileIndex {
  header: string;
  rows: number;
  sorted: boolean;
  times: Float64Array;
  offsets: Float64Array;
  lengths: Uint32Array;
}

/** The largest file that is sorted in memory (bytes); a larger one must be sorted by time first. */
export const MAX_SORTED_IN_MEMORY_BYTES = 1.5 * 2 ** 30;

const asBuffer = (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

function grow<T extends Float64Array | Uint32Array>(a: T, make: (n: number) => T): T {
  const b = make(a.length * 2);
  b.set(a);
  return b;
}

/** The lines of a file with their byte offsets, without their line feed. */
export async function* csvLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<{ line: string; offset: number; length: number }> {
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0;
  for await (const chunk of chunks) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : asBuffer(chunk);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      yield { line: buf.toString("utf8", start, nl), offset: carryOffset + start, length: nl - start };
      start = nl + 1;
    }
    carryOffset += start;
    carry = buf.subarray(start);
  }
  if (carry.length > 0) yield { line: carry.toString("utf8"), offset: carryOffset, length: carry.length };
}

/** Reads the file once: each data row's time and place, up to `limit` rows; blank lines are skipped. */
export async function indexCsvFile(file: CsvFile, format: EvalFormat, limit: number, progress: (text: string) => void = () => {}): Promise<CsvFileIndex> {
  let times = new Float64Array(1 << 16);
  let offsets = new Float64Array(1 << 16);
  let lengths = new Uint32Array(1 << 16);
  let header: string | undefined;
  let index: Map<string, number> | undefined;
  let rows = 0;
  let sorted = true;
  let last = -Infinity;
  let lastReport = performance.now();
  for await (const { line, offset, length } of csvLines(file.chunks())) {
    if (header === undefined) {
      header = line;
      try {
        index = headerIndex(line, format.columns);
      } catch (e) {
        throw new VisibleError("INVALID_FILE", `${file.name} is not a ${format.name} file: ${(e as Error).message}`);
      }
      continue;
    }
    if (line.trim() === "") continue;
    if (rows >= limit) break;
    if (rows === times.length) {
      times = grow(times, (n) => new Float64Array(n));
      offsets = grow(offsets, (n) => new Float64Array(n));
      lengths = grow(lengths, (n) => new Uint32Array(n));
    }
    let t: number;
    try {
      t = format.timeOf(recordOf(parseCsvLine(line), index!));
    } catch (e) {
      throw new VisibleError("INVALID_FILE", `${file.name}, data row ${rows + 1}: ${(e as Error).message}`);
    }
    // Rows without a time sort first and are then refused by the transaction schema.
    if (Number.isNaN(t)) t = -Infinity;
    if (t < last) sorted = false;
    last = t;
    times[rows] = t;
    offsets[rows] = offset;
    lengths[rows] = length;
    rows++;
    if (performance.now() - lastReport > 1000) {
      lastReport = performance.now();
      progress(`indexed ${rows.toLocaleString("en")} rows`);
    }
  }
  if (header === undefined) throw new VisibleError("INVALID_FILE", `${file.name} is empty`);
  return { header, rows, sorted, times: times.subarray(0, rows), offsets: offsets.subarray(0, rows), lengths: lengths.subarray(0, rows) };
}

/** The indexed data rows in time order (ties in file order), each with its 1-based row number in the file. */
export async function* rowsInTimeOrder(file: CsvFile, idx: CsvFileIndex): AsyncGenerator<{ line: string; rowNumber: number }> {
  if (idx.sorted) {
    let n = 0;
    let header = true;
    for await (const { line } of csvLines(file.chunks())) {
      if (header) {
        header = false;
        continue;
      }
      if (line.trim() === "") continue;
      if (n >= idx.rows) return;
      yield { line, rowNumber: ++n };
    }
    return;
  }
  if (file.size() > MAX_SORTED_IN_MEMORY_BYTES)
    throw new VisibleError("FILE_TOO_LARGE", `${file.name} is not in time order and too large to sort in memory: sort it by time first`);
  const data = asBuffer(file.readAll());
  const order = Array.from({ length: idx.rows }, (_, i) => i).sort((a, b) => idx.times[a]! - idx.times[b]! || a - b);
  for (const i of order) {
    const start = idx.offsets[i]!;
    yield { line: data.toString("utf8", start, start + idx.lengths[i]!), rowNumber: i + 1 };
  }
}

export interface CsvReplayOptions {
  ruleset: CompiledRuleset;
  /** Customer profiles kept in memory (see ReplayOptions). */
  maxProfiles?: number;
  /** Only the customers of one half (customerHalf). */
  half?: "A" | "B";
  progress?: (text: string) => void;
  /** performance.now() when the run began, for the rate in progress messages. */
  startedAt?: number;
}

/** Replays the indexed rows in time order through the engine (Replay) and reports detection. */
export async function replayCsvFile(file: CsvFile, idx: CsvFileIndex, format: EvalFormat, options: CsvReplayOptions): Promise<ReplayReport> {
  const { half, progress = () => {} } = options;
  const started = options.startedAt ?? performance.now();
  const index = headerIndex(idx.header, format.columns);
  const replay = new Replay({ ruleset: options.ruleset, timeZone: format.timeZone, maxProfiles: options.maxProfiles });
  let done = 0;
  let lastReport = performance.now();
  for await (const { line, rowNumber } of rowsInTimeOrder(file, idx)) {
    const row = recordOf(parseCsvLine(line), index);
    done++;
    if (half !== undefined && customerHalf(format.customerOf(row)) !== half) continue;
    replay.step(format.toTransaction(row, rowNumber), format.isFraud(row));
    if (performance.now() - lastReport > 1000) {
      lastReport = performance.now();
      const rate = done / ((performance.now() - started) / 1000);
      progress(
        `${done.toLocaleString("en")}/${idx.rows.toLocaleString("en")} rows (${((done / idx.rows) * 100).toFixed(0)} %), ${Math.round(rate).toLocaleString("en")} rows/s`,
      );
    }
  }
  return replay.report();
}
