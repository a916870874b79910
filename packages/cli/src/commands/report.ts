import { Platform, Report } from "@fraud/core";
import { openLocalRuntime } from "@fraud/core/local";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";
import { cliLog } from "../log.ts";

const HELP = `usage: npm run fraud -- report <name> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--param name=value]... [--limit N] [--json]
       npm run fraud -- report --list [--json]

Runs a saved report (built-in or an analyst's) over the decision lake with DuckDB and prints the
result as a table, or as JSON with --json. --from and --to are the report's date range (UTC days,
both included; default the last 30 days); other parameters go with --param. Progress of a long
run goes to stderr.`;

function text(v: Report.ReportCell): string {
  if (v === null) return "";
  if (Array.isArray(v)) return v.map(text).join(",");
  return String(v);
}

/** A plain-text table: numbers right-aligned. */
export function formatTable(result: Pick<Report.ReportResult, "columns" | "rows">): string {
  const cells = result.rows.map((r) => r.map(text));
  const widths = result.columns.map((c, i) => Math.max(c.name.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (result.columns[i]!.type === "number" ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(result.columns.map((c) => c.name)), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

export const command: Command = {
  name: "report",
  summary: "Run a saved report over the decision lake (or --list them)",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        list: { type: "boolean", default: false },
        from: { type: "string" },
        to: { type: "string" },
        param: { type: "string", multiple: true, default: [] },
        limit: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean" },
      },
    });
    if (values.help || (!values.list && positionals.length !== 1)) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    const rt = await openLocalRuntime(Platform.env());
    try {
      const reports = rt.platform.reports;
      if (values.list) {
        const all = await reports.list();
        if (values.json) console.log(JSON.stringify(all, null, 2));
        else for (const r of all) console.log(`${r.name.padEnd(24)} ${r.builtin ? "built-in" : "saved   "}  ${r.title}`);
        return 0;
      }
      const params: Record<string, string> = {};
      for (const p of values.param) {
        const eq = p.indexOf("=");
        if (eq <= 0) {
          console.error(`--param takes name=value, not '${p}'`);
          return 2;
        }
        params[p.slice(0, eq)] = p.slice(eq + 1);
      }
      if (values.from !== undefined) params.from = values.from;
      if (values.to !== undefined) params.to = values.to;
      const name = positionals[0]!;
      const rowLimit = values.limit === undefined ? undefined : Number(values.limit);
      const showProgress = process.stderr.isTTY === true;
      const result = await reports.run(name, params, {
        rowLimit,
        onProgress: (p) => {
          if (showProgress && p.elapsed_ms > 1_000)
            process.stderr.write(
              `\r[report] ${p.fraction === null ? "running" : `${Math.round(p.fraction * 100)}%`} after ${(p.elapsed_ms / 1000).toFixed(1)} s `,
            );
        },
      });
      if (values.json) {
        console.log(JSON.stringify({ ...result, rows: Report.rowObjects(result) }, null, 2));
      } else {
        console.log(formatTable(result));
        cliLog().info({ report: name, rows: result.row_count, truncated: result.truncated, elapsed_ms: result.elapsed_ms }, "report run");
      }
      return 0;
    } finally {
      rt.platform.close();
    }
  },
};
