import { Demo, Errors, Platform, Ruleset } from "@fraud/core";
import { EVAL_FORMATS, evaluateLab, indexCsvFile, replayCsvFile, type CsvFile, type ReplayReport } from "@fraud/core/eval";
import { databaseFile, openLocalPlatform } from "@fraud/core/local";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";
import { cliLog } from "../log.ts";

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

function contentOf(value: unknown, source: string): Ruleset.RulesetContentInput {
  if (typeof value !== "object" || value === null || !("rules" in value))
    throw new Errors.VisibleError("INVALID_RULESET", `${source} holds no ruleset (an object with "rules")`);
  const v = value as Record<string, unknown>;
  return Object.fromEntries(CONTENT_KEYS.filter((k) => k in v).map((k) => [k, v[k]])) as Ruleset.RulesetContentInput;
}

async function rulesetFromFile(file: string): Promise<Ruleset.RulesetContentInput> {
  const path = resolve(file);
  if (!existsSync(path)) throw new Errors.VisibleError("NOT_FOUND", `no such file: ${file}`);
  if ([".ts", ".mts", ".js", ".mjs"].includes(extname(path))) {
    const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    const found = [mod.default, ...Object.values(mod)].find((v) => typeof v === "object" && v !== null && "rules" in v);
    return contentOf(found, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Errors.VisibleError("INVALID_RULESET", `${file} is not valid JSON: ${(e as Error).message}`);
  }
  return contentOf(json, file);
}

async function liveRuleset(): Promise<{ content: Ruleset.RulesetContentInput; version: number }> {
  const e = Platform.env();
  const dataDir = resolve(e.FRAUD_DATA_DIR);
  if (!existsSync(databaseFile(dataDir)))
    throw new Errors.VisibleError("NO_DATA", `no local data in ${dataDir}: run \`npm start\` or \`npm run fraud -- seed\` first`);
  const platform = openLocalPlatform({ dataDir, settings: e.settings });
  try {
    const live = await platform.rules.live();
    if (!live) throw new Errors.VisibleError("NO_LIVE_RULESET", "no ruleset is published in the local data directory");
    return { content: contentOf(live, "the live ruleset"), version: live.version };
  } finally {
    platform.close();
  }
}

/** The data set file on disk, read in 1 MiB chunks. */
function fileOnDisk(path: string): CsvFile {
  return { name: path, chunks: () => createReadStream(path, { highWaterMark: 1 << 20 }), size: () => statSync(path).size, readAll: () => readFileSync(path) };
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
    `  decisions           ${Object.entries(report.decisions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    `  engine latency      p50 ${report.latency_us.p50} µs, p99 ${report.latency_us.p99} µs`,
    report.skipped > 0
      ? `  skipped rows        ${report.skipped} (${report.skipped_frauds} fraud): ${Object.keys(report.skip_reasons).slice(0, 3).join("; ")}`
      : "",
    "  rules               hits   fraud  precision",
    ...Object.entries(report.rules).map(
      ([id, r]) => `    ${id.padEnd(30)} ${String(r.hits).padStart(7)} ${String(r.fraud_hits).padStart(7)}  ${pct(r.precision)}`,
    ),
    "  trade-off (review threshold: detection / false positives)",
    ...report.curve.map(
      (p) =>
        `    >= ${String(p.threshold).padStart(3)}: ${pct(p.detection_rate).padStart(9)} / ${pct(p.false_positive_rate).padStart(8)}${p.threshold === report.thresholds.review ? "   <- review threshold" : ""}`,
    ),
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
    const half = values.half === "A" || values.half === "B" ? values.half : undefined;
    if (values.half !== undefined && half === undefined) throw new Errors.VisibleError("INVALID_OPTION", "--half is A or B");
    const limit = values.limit === undefined ? Infinity : Number(values.limit);
    const maxProfiles = Number(values["max-profiles"]);
    if (!(limit > 0) || !(maxProfiles > 0)) throw new Errors.VisibleError("INVALID_OPTION", "--limit and --max-profiles must be positive numbers");

    const format = values.paysim !== undefined ? EVAL_FORMATS.paysim : values.sparkov !== undefined ? EVAL_FORMATS.sparkov : undefined;
    let content: Ruleset.RulesetContentInput;
    let rulesetName: string;
    let version = 0;
    if (values.ruleset !== undefined) {
      content = await rulesetFromFile(values.ruleset);
      rulesetName = values.ruleset;
    } else if (values.live) {
      ({ content, version } = await liveRuleset());
      rulesetName = `live (version ${version})`;
    } else {
      content = format?.ruleset ?? Demo.DEMO_RULESET;
      rulesetName = format ? (format.name === "paysim" ? "mobile-money (shipped)" : "card (shipped)") : "demo (shipped)";
    }
    const ruleset: Ruleset.CompiledRuleset = Ruleset.compileRuleset({ version, ...Ruleset.validateRulesetContent(content) });
    const started = performance.now();
    const progress = (text: string) => cliLog().info(text);

    if (!format) {
      const report = evaluateLab(ruleset, { seed: Number(values.seed) });
      const out = { source: "lab scenario", ruleset: rulesetName, ...report, elapsed_s: Number(((performance.now() - started) / 1000).toFixed(3)) };
      if (values.json) console.log(JSON.stringify(out, null, 2));
      else {
        printHuman(out);
        console.log(
          `  by label            ${Object.entries(report.by_label)
            .map(
              ([l, d]) =>
                `${l}: ${Object.entries(d)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(" ")}`,
            )
            .join("; ")}`,
        );
      }
      return 0;
    }

    const path = resolve((values.paysim ?? values.sparkov)!);
    if (!existsSync(path)) throw new Errors.VisibleError("NOT_FOUND", `no such file: ${path}`);
    const file = fileOnDisk(path);
    const idx = await indexCsvFile(file, format, limit, progress);
    progress(`${idx.rows.toLocaleString("en")} rows${idx.sorted ? " in time order" : ", sorting by time"}; replaying with ${rulesetName}`);
    const report = await replayCsvFile(file, idx, format, { ruleset, maxProfiles, half, progress, startedAt: started });
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
