import { type Backtest, Platform } from "@fraud/core";
import { openLocalRuntime } from "@fraud/core/local";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";

const HELP = `usage: npm run fraud -- backtest --version N --from YYYY-MM-DD --to YYYY-MM-DD [--warmup-days 30] [--json]

Replays the decision lake over the date range (UTC days, both included) through the same engine
as live scoring, with ruleset version N (usually a draft) in place of the live one, and compares
with what was decided: per-rule hits and precision, decisions that would change, detection and
false-positive rates against the review labels, and the amount that would have been blocked.
The result is saved with version N. Profiles are rebuilt from --warmup-days before --from.`;

const pct = (x: number | null) => (x === null ? "-" : `${(x * 100).toFixed(1)}%`);

function summary(r: Backtest.BacktestRecord): string {
  const lines = [
    `backtest #${r.id} of ruleset version ${r.ruleset_version}, ${r.from} to ${r.to}: ${r.transactions} transactions (${r.replayed} replayed with warm-up) in ${(r.elapsed_ms / 1000).toFixed(1)} s, ${r.rows_per_second} rows/s`,
    "",
    `outcome      recorded      draft`,
    ...(["APPROVED", "REVIEW", "BLOCKED"] as const).map(
      (d) => `${d.padEnd(10)} ${String(r.outcomes.recorded[d]).padStart(10)} ${String(r.outcomes.draft[d]).padStart(10)}`,
    ),
    ...(r.fallbacks > 0 ? [`${r.fallbacks} draft decisions took the fallback (a rule went over its cost limit, or out of time)`] : []),
    "",
    "rule                          hits   hit rate  live hits  precision  errors",
    ...r.rules.map(
      (x) =>
        `${x.id.padEnd(28)} ${String(x.hits).padStart(6)} ${pct(x.hit_rate).padStart(10)} ${String(x.live_hits).padStart(10)} ${pct(x.precision).padStart(10)} ${String(x.errors).padStart(7)}`,
    ),
    "",
    "changes:",
    ...(r.changes.length === 0
      ? ["  none"]
      : r.changes.map(
          (c) =>
            `  ${c.from} -> ${c.to}: ${c.count} (${c.amount.toLocaleString("en")}), e.g. ${c.examples
              .slice(0, 3)
              .map((e) => e.transaction_id)
              .join(", ")}`,
        )),
    "",
    `labels: ${r.labels.fraud} fraud, ${r.labels.legitimate} legitimate`,
    `  detection rate       recorded ${pct(r.labels.recorded.detection_rate)}   draft ${pct(r.labels.draft.detection_rate)}`,
    `  false-positive rate  recorded ${pct(r.labels.recorded.false_positive_rate)}   draft ${pct(r.labels.draft.false_positive_rate)}`,
    ...r.blocked_amount.map((b) => `blocked ${b.currency}: recorded ${b.recorded.toLocaleString("en")}, draft ${b.draft.toLocaleString("en")}`),
  ];
  return lines.join("\n");
}

export const command: Command = {
  name: "backtest",
  summary: "Replay the lake with a draft ruleset and compare with what was decided",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        version: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        "warmup-days": { type: "string", default: "30" },
        json: { type: "boolean", default: false },
        help: { type: "boolean" },
      },
    });
    if (values.help || !values.version || !values.from || !values.to) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    const rt = await openLocalRuntime(Platform.env());
    try {
      const showProgress = process.stderr.isTTY === true;
      const record = await rt.platform.backtests.run(
        Number(values.version),
        { from: values.from, to: values.to, warmup_days: Number(values["warmup-days"]) },
        { id: "cli" },
        {
          onProgress: (p) => {
            if (showProgress && p.phase === "replaying")
              process.stderr.write(
                `\r[backtest] ${Math.round(p.fraction * 100)}% (${p.rows_done.toLocaleString("en")} of ${p.rows_total.toLocaleString("en")} rows) `,
              );
          },
        },
      );
      if (showProgress) process.stderr.write("\n");
      console.log(values.json ? JSON.stringify(record, null, 2) : summary(record));
      return 0;
    } finally {
      rt.platform.close();
    }
  },
};
