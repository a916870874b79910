import { Demo, Platform } from "@fraud/core";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";
import { cliLog } from "../log.ts";
import { localTarget, percentile, sendPaced, sendTransaction } from "../client.ts";
import { simulateHistory } from "./simulate-history.ts";

const HELP = `usage: npm run fraud -- simulate --scenario lab [--json] [--seed N]
       npm run fraud -- simulate --count N --rate R [--customers C] [--json]
       npm run fraud -- simulate --days D --tx-per-day N [--customers C] [--seed N] [--fraud-rate F] [--end YYYY-MM-DD] [--data-dir DIR] [--json]

Sends transactions to the running API (FRAUD_API_URL or http://localhost:$PORT) with the
configured API key, and prints every decision (lab) or progress (load) and a summary.
  --scenario lab   the demo scenario's 50 labelled transactions: 30 normal, 10 suspicious, 10 new
                   customer, from the demo customers' cities in FRAUD_COUNTRY (where seed put them)
  --count, --rate  sustained load: N transactions at R per second, evenly paced
  --days, --tx-per-day  history written straight to the lake as Parquet (no server needed): D days
                   ending yesterday (or --end), N transactions a day, with review labels, for
                   reports, backtests and benchmarks; into FRAUD_DATA_DIR or --data-dir
  --customers      number of synthetic customers for load (default 1000)
  --spacing        seconds between lab transactions' own timestamps (default 300)`;

export const command: Command = {
  name: "simulate",
  summary: "Send the lab scenario or a sustained load to the running API",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        scenario: { type: "string" },
        count: { type: "string" },
        rate: { type: "string" },
        customers: { type: "string" },
        days: { type: "string" },
        "tx-per-day": { type: "string" },
        "fraud-rate": { type: "string" },
        end: { type: "string" },
        "data-dir": { type: "string" },
        seed: { type: "string", default: "42" },
        spacing: { type: "string", default: "300" },
        json: { type: "boolean", default: false },
        help: { type: "boolean" },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (values.days !== undefined || values["tx-per-day"] !== undefined) return simulateHistory(values);
    const target = localTarget();
    if (values.scenario === "lab") {
      const txs = Demo.labScenario({
        seed: Number(values.seed),
        spacingSeconds: Number(values.spacing),
        runId: `demo-${Date.now().toString(36)}`,
        country: Platform.env().settings.country,
      });
      const table: Record<string, Record<string, number>> = {};
      const results: Array<{
        label: string;
        transaction_id: string;
        user_id: string;
        amount: number;
        status: number;
        decision?: string;
        score?: number;
        rules?: string[];
      }> = [];
      for (const { label, transaction } of txs) {
        const r = await sendTransaction(target, transaction);
        const decision = r.status === 200 ? String(r.body?.decision) : `HTTP ${r.status}`;
        const rules = r.status === 200 ? ((r.body?.rules as Array<{ id: string }>) ?? []).map((x) => x.id) : [];
        (table[label] ??= {})[decision] = (table[label]![decision] ?? 0) + 1;
        results.push({
          label,
          transaction_id: transaction.transaction_id!,
          user_id: transaction.user_id,
          amount: transaction.amount,
          status: r.status,
          decision,
          score: r.body?.score as number | undefined,
          rules,
        });
        if (!values.json) {
          console.log(
            `${label.padEnd(12)} ${transaction.user_id} ${transaction.amount.toFixed(2).padStart(9)}  ${decision.padEnd(8)} ${String(r.body?.score ?? "").padStart(3)}  ${rules.join(", ") || "-"}${r.error ? `  (${r.error})` : ""}`,
          );
        }
      }
      if (values.json) {
        console.log(JSON.stringify({ results, summary: table }, null, 2));
      } else {
        const cols = [
          "APPROVED",
          "REVIEW",
          "BLOCKED",
          ...new Set(
            Object.values(table)
              .flatMap((t) => Object.keys(t))
              .filter((k) => !["APPROVED", "REVIEW", "BLOCKED"].includes(k)),
          ),
        ];
        console.log(`\n${"".padEnd(14)}${cols.map((c) => c.padStart(10)).join("")}`);
        for (const label of Demo.LAB_LABELS) console.log(`${label.padEnd(14)}${cols.map((c) => String(table[label]?.[c] ?? 0).padStart(10)).join("")}`);
      }
      return results.every((r) => r.status === 200) ? 0 : 1;
    }
    if (values.count && values.rate) {
      const count = Number(values.count);
      const rate = Number(values.rate);
      const customers = Number(values.customers ?? 1000);
      if (!(count > 0 && rate > 0 && customers > 0)) {
        console.error("--count, --rate and --customers must be positive numbers");
        return 2;
      }
      const rnd = Demo.seededRandom(Number(values.seed));
      const runId = `sim-${Date.now().toString(36)}`;
      const run = await sendPaced(
        target,
        count,
        rate,
        (i) => Demo.syntheticTransaction(i, rnd, { runId, customers, units: "xaf" }),
        (done, r) => {
          if (!values.json) cliLog().info({ sent: done, of: count, answered: r.latenciesMs.length }, "simulate progress");
        },
      );
      const sorted = [...run.latenciesMs].sort((a, b) => a - b);
      const summary = {
        sent: run.sent,
        by_status: run.byStatus,
        decisions: run.decisions,
        achieved_rate_per_s: Math.round(run.sent / run.elapsedS),
        p50_ms: Number(percentile(sorted, 50).toFixed(2)),
        p99_ms: Number(percentile(sorted, 99).toFixed(2)),
        max_ms: Number((sorted.at(-1) ?? NaN).toFixed(2)),
      };
      console.log(values.json ? JSON.stringify(summary, null, 2) : summary);
      return run.byStatus["200"] === run.sent ? 0 : 1;
    }
    console.error(HELP);
    return 2;
  },
};
