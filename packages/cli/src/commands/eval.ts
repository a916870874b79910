import { compileRuleset, DEMO_RULESET, env, validateRulesetContent, VisibleError, type CompiledRuleset, type RulesetContentInput } from "@fraud/core";
import { customerHalf, EVAL_FORMATS, evaluateLab, headerIndex, parseCsvLine, recordOf, Replay, type EvalFormat, type ReplayReport } from "@fraud/core/eval";
import { databaseFile, openLocalPlatform } from "@fraud/core/local";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";

const HELP = `usage: npm run fraud -- eval --paysim <file.csv>  [--ruleset <file> | --live] [--json]
       npm run fraud -- eval --sparkov <file.csv> [--ruleset <file> | --live] [--json]
       npm run fraud -- eval --lab [--ruleset <file> | --live] [--json] [--seed N]

Replays a labelled data set in time order through the engine (decide() and profile updates, in
memory) and prints detection, false positives, precision, decisions, per-rule hits and precision,
engine latency and the trade-off curve (detection and false-positive rate per review threshold).
Formats: ../shared/data/README.md and docs/detection.md.
  --ruleset <file>   a ruleset as JSON ({"rules": [...], "thresholds": {...}}, or a stored version),
                     or a .ts/.js module exporting one; default: the format's shipped ruleset
                     (mobile money for PaySim, card for Sparkov, the demo ruleset for the lab)
  --live             the ruleset live in the local data directory (FRAUD_DATA_DIR)
  --half A|B         only the customers of one half (a fixed split by customer id)
  --limit N          only the first N data rows of the file
  --max-profiles N   customer profiles kept in memory (default 100000; the least
                     recently active are forgotten and start afresh if they come back)
  --json             one JSON object on stdout; progress goes to stderr either way`;

const CONTENT_KEYS = ["rules", "thresholds", "fallback_decision", "time_budget_ms"] as const;

function contentOf(value: unknown, source: string): RulesetContentInput {
  if (typeof value !== "object" || value === null || !("rules" in value)) throw new VisibleError("INVALID_RULESET", `${source} holds no ruleset (an object with "rules")`);
  const v = value as Record<string, unknown>;
  return Object.fromEntries(CONTENT_KEYS.filter((k) => k in v).map((k) => [k, v[k]])) as RulesetContentInput;
}

async function rulesetFromFile(file: string): Promise<RulesetContentInput> {
  const path = resolve(file);
  if (!existsSync(path)) throw new VisibleError("NOT_FOUND", `no such file: ${file}`);
  if ([".ts", ".mts", ".js", ".mjs"].includes(extname(path))) {
    const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    const found = [mod.default, ...Object.values(mod)].find((v) => typeof v === "object" && v !== null && "rules" in v);
    return contentOf(found, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new VisibleError("INVALID_RULESET", `${file} is not valid JSON: ${(e as Error).message}`);
  }
  return contentOf(json, file);
}

async function liveRuleset(): Promise<{ content: RulesetContentInput; version: number }> {
  const e = env();
  const dataDir = resolve(e.FRAUD_DATA_DIR);
  if (!existsSync(databaseFile(dataDir))) throw new VisibleError("NO_DATA", `no local data in ${dataDir}: run \`npm start\` or \`npm run fraud -- seed\` first`);
  const platform = openLocalPlatform({ dataDir, settings: e.settings });
  try {
    const live = await platform.rules.live();
    if (!live) throw new VisibleError("NO_LIVE_RULESET", "no ruleset is published in the local data directory");
    return { content: contentOf(live, "the live ruleset"), version: live.version };
  } finally {
    platform.close();
  }
}

/** Time, offset and length of every data row, and whether the file is already in time order. */
interface FileIndex {
  header: string;
  rows: number;
  sorted: boolean;
  times: Float64Array;
  offsets: Float64Array;
  lengths: Uint32Array;
}

function grow<T extends Float64Array | Uint32Array>(a: T, make: (n: number) => T): T {
  const b = make(a.length * 2);
  b.set(a);
  return b;
}

/** Streams the file's lines with their byte offsets. */
async function* linesOf(path: string): AsyncGenerator<{ line: string; offset: number; length: number }> {
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
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

async function indexFile(path: string, format: EvalFormat, limit: number, progress: (text: string) => void): Promise<FileIndex> {
  let times = new Float64Array(1 << 16);
  let offsets = new Float64Array(1 << 16);
  let lengths = new Uint32Array(1 << 16);
  let header: string | undefined;
  let index: Map<string, number> | undefined;
  let rows = 0;
  let sorted = true;
  let last = -Infinity;
  let lastReport = performance.now();
  for await (const { line, offset, length } of linesOf(path)) {
    if (header === undefined) {
      header = line;
      try {
        index = headerIndex(line, format.columns);
      } catch (e) {
        throw new VisibleError("INVALID_FILE", `${path} is not a ${format.name} file: ${(e as Error).message}`);
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
      throw new VisibleError("INVALID_FILE", `${path}, data row ${rows + 1}: ${(e as Error).message}`);
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
  if (header === undefined) throw new VisibleError("INVALID_FILE", `${path} is empty`);
  return { header, rows, sorted, times: times.subarray(0, rows), offsets: offsets.subarray(0, rows), lengths: lengths.subarray(0, rows) };
}

/** The data rows in time order (ties in file order), each with its 1-based row number in the file. */
async function* rowsInTimeOrder(path: string, idx: FileIndex): AsyncGenerator<{ line: string; rowNumber: number }> {
  if (idx.sorted) {
    let n = 0;
    let header = true;
    for await (const { line } of linesOf(path)) {
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
  const size = statSync(path).size;
  if (size > 1.5 * 2 ** 30) throw new VisibleError("FILE_TOO_LARGE", `${path} is not in time order and too large to sort in memory: sort it by time first`);
  const data = readFileSync(path);
  const order = Array.from({ length: idx.rows }, (_, i) => i).sort((a, b) => idx.times[a]! - idx.times[b]! || a - b);
  for (const i of order) {
    const start = idx.offsets[i]!;
    yield { line: data.toString("utf8", start, start + idx.lengths[i]!), rowNumber: i + 1 };
  }
}

function pct(x: number | null): string {
  return x === null ? "n/a" : `${(x * 100).toFixed(2)} %`;
}

function printHuman(report: Record<string, unknown> & ReplayReport): void {
  const lines = [
    `${String(report.source)}: ${report.rows.toLocaleString("en")} rows (${report.frauds} fraud), ruleset ${String(report.ruleset)}`,
    `  detection           ${pct(report.detection_rate)}  (${report.true_positives} of ${report.frauds} frauds flagged)`,
    `  false positives     ${pct(report.false_positive_rate)}  (${report.false_positives} of ${report.legitimate} legitimate flagged)`,
    `  precision           ${pct(report.precision)}`,
    `  decisions           ${Object.entries(report.decisions).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `  engine latency      p50 ${report.latency_us.p50} µs, p99 ${report.latency_us.p99} µs`,
    report.skipped > 0 ? `  skipped rows        ${report.skipped} (${report.skipped_frauds} fraud): ${Object.keys(report.skip_reasons).slice(0, 3).join("; ")}` : "",
    "  rules               hits   fraud  precision",
    ...Object.entries(report.rules).map(([id, r]) => `    ${id.padEnd(30)} ${String(r.hits).padStart(7)} ${String(r.fraud_hits).padStart(7)}  ${pct(r.precision)}`),
    "  trade-off (review threshold: detection / false positives)",
    ...report.curve.map((p) => `    >= ${String(p.threshold).padStart(3)}: ${pct(p.detection_rate).padStart(9)} / ${pct(p.false_positive_rate).padStart(8)}${p.threshold === report.thresholds.review ? "   <- review threshold" : ""}`),
  ];
  console.log(lines.filter((l) => l !== "").join("\n"));
}

export const command: Command = {
  name: "eval",
  summary: "Measure detection on a labelled data set (PaySim, Sparkov) or the lab scenario",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        paysim: { type: "string" },
        sparkov: { type: "string" },
        lab: { type: "boolean", default: false },
        ruleset: { type: "string" },
        live: { type: "boolean", default: false },
        half: { type: "string" },
        limit: { type: "string" },
        "max-profiles": { type: "string", default: "100000" },
        seed: { type: "string", default: "42" },
        json: { type: "boolean", default: false },
        help: { type: "boolean" },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const sources = [values.paysim !== undefined, values.sparkov !== undefined, values.lab].filter(Boolean).length;
    if (sources !== 1 || (values.ruleset !== undefined && values.live)) {
      console.error(HELP);
      return 2;
    }
    if (values.half !== undefined && values.half !== "A" && values.half !== "B") throw new VisibleError("INVALID_OPTION", "--half is A or B");
    const limit = values.limit === undefined ? Infinity : Number(values.limit);
    const maxProfiles = Number(values["max-profiles"]);
    if (!(limit > 0) || !(maxProfiles > 0)) throw new VisibleError("INVALID_OPTION", "--limit and --max-profiles must be positive numbers");

    const format = values.paysim !== undefined ? EVAL_FORMATS.paysim : values.sparkov !== undefined ? EVAL_FORMATS.sparkov : undefined;
    let content: RulesetContentInput;
    let rulesetName: string;
    let version = 0;
    if (values.ruleset !== undefined) {
      content = await rulesetFromFile(values.ruleset);
      rulesetName = values.ruleset;
    } else if (values.live) {
      ({ content, version } = await liveRuleset());
      rulesetName = `live (version ${version})`;
    } else {
      content = format?.ruleset ?? DEMO_RULESET;
      rulesetName = format ? (format.name === "paysim" ? "mobile-money (shipped)" : "card (shipped)") : "demo (shipped)";
    }
    const ruleset: CompiledRuleset = compileRuleset({ version, ...validateRulesetContent(content) });
    const started = performance.now();
    const progress = (text: string) => console.error(`[eval] ${text}`);

    if (!format) {
      const report = evaluateLab(ruleset, { seed: Number(values.seed) });
      const out = { source: "lab scenario", ruleset: rulesetName, ...report, elapsed_s: Number(((performance.now() - started) / 1000).toFixed(3)) };
      if (values.json) console.log(JSON.stringify(out, null, 2));
      else {
        printHuman(out);
        console.log(`  by label            ${Object.entries(report.by_label).map(([l, d]) => `${l}: ${Object.entries(d).map(([k, v]) => `${k} ${v}`).join(" ")}`).join("; ")}`);
      }
      return 0;
    }

    const path = resolve((values.paysim ?? values.sparkov)!);
    if (!existsSync(path)) throw new VisibleError("NOT_FOUND", `no such file: ${path}`);
    const idx = await indexFile(path, format, limit, progress);
    progress(`${idx.rows.toLocaleString("en")} rows${idx.sorted ? " in time order" : ", sorting by time"}; replaying with ${rulesetName}`);
    const index = headerIndex(idx.header, format.columns);
    const replay = new Replay({ ruleset, timeZone: format.timeZone, maxProfiles });
    let done = 0;
    let lastReport = performance.now();
    for await (const { line, rowNumber } of rowsInTimeOrder(path, idx)) {
      const row = recordOf(parseCsvLine(line), index);
      done++;
      if (values.half !== undefined && customerHalf(format.customerOf(row)) !== values.half) continue;
      replay.step(format.toTransaction(row, rowNumber), format.isFraud(row));
      if (performance.now() - lastReport > 1000) {
        lastReport = performance.now();
        const rate = done / ((performance.now() - started) / 1000);
        progress(`${done.toLocaleString("en")}/${idx.rows.toLocaleString("en")} rows (${((done / idx.rows) * 100).toFixed(0)} %), ${Math.round(rate).toLocaleString("en")} rows/s`);
      }
    }
    const report = replay.report();
    const elapsed = (performance.now() - started) / 1000;
    const out = {
      source: `${format.name} ${values.paysim ?? values.sparkov}`,
      format: format.name,
      ruleset: rulesetName,
      ...(values.half ? { half: values.half } : {}),
      ...report,
      elapsed_s: Number(elapsed.toFixed(3)),
      rows_per_s: Math.round(report.rows / elapsed),
    };
    if (values.json) console.log(JSON.stringify(out, null, 2));
    else printHuman(out);
    return 0;
  },
};
