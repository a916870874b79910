import { defaultWorkload, estimateMonthlyCost, PRICES, usdToXaf, type CostEstimate } from "@fraud/core/cost";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";

const HELP = `usage: npm run fraud -- cost [--tx-per-day N] [--peak-per-minute N] [--budget-xaf N]
                            [--usd-xaf RATE] [--region-uplift F] [--json]

Monthly AWS cost of the SST deployment (stacks/) by service, in USD and FCFA, for the load and for
10x and 100x of it. Prices: ${PRICES.region} list prices read on ${PRICES.date} (see packages/core/src/tools/cost.ts
for each source); --region-uplift 1.1 adds 10 % for a dearer region such as eu-west-3 (Paris).`;

const LAB_BUDGET_XAF = 500_000;

function table(estimates: Array<{ factor: number; e: CostEstimate }>, rate: number): string {
  const head = ["service", ...estimates.map(({ factor }) => `${factor}x USD`), ...estimates.map(({ factor }) => `${factor}x FCFA`)];
  const rows = estimates[0]!.e.lines.map((line, i) => [
    line.service,
    ...estimates.map(({ e }) => e.lines[i]!.usd.toFixed(2)),
    ...estimates.map(({ e }) => usdToXaf(e.lines[i]!.usd, rate).toLocaleString("fr-FR")),
  ]);
  rows.push(["total", ...estimates.map(({ e }) => e.totalUsd.toFixed(2)), ...estimates.map(({ e }) => usdToXaf(e.totalUsd, rate).toLocaleString("fr-FR"))]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [
    line(head),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.slice(0, -1).map(line),
    widths.map((w) => "-".repeat(w)).join("  "),
    line(rows.at(-1)!),
  ].join("\n");
}

export const command: Command = {
  name: "cost",
  summary: "Monthly AWS cost of the deployment by service, in USD and FCFA, at 1x, 10x and 100x a load",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        "tx-per-day": { type: "string", default: "50000" },
        "peak-per-minute": { type: "string", default: "5000" },
        "budget-xaf": { type: "string", default: String(LAB_BUDGET_XAF) },
        "usd-xaf": { type: "string" },
        "region-uplift": { type: "string", default: "1" },
        json: { type: "boolean", default: false },
        help: { type: "boolean" },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const num = (name: string, v: string | undefined) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw Object.assign(new Error(`--${name} must be a positive number`), { code: "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" });
      return n;
    };
    const txPerDay = num("tx-per-day", values["tx-per-day"]);
    const peak = num("peak-per-minute", values["peak-per-minute"]);
    const budget = num("budget-xaf", values["budget-xaf"]);
    const uplift = num("region-uplift", values["region-uplift"]);
    const rate = values["usd-xaf"] ? num("usd-xaf", values["usd-xaf"]) : PRICES.xafPerEur * PRICES.eurPerUsd;
    const estimates = [1, 10, 100].map((factor) => ({
      factor,
      e: estimateMonthlyCost(defaultWorkload(txPerDay * factor, peak * factor), { regionUplift: uplift }),
    }));

    if (values.json) {
      console.log(
        JSON.stringify(
          {
            prices: { date: PRICES.date, region: PRICES.region, usdToXaf: rate, regionUplift: uplift },
            estimates: estimates.map(({ factor, e }) => ({ factor, ...e, totalXaf: usdToXaf(e.totalUsd, rate) })),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const w = estimates[0]!.e.workload;
    console.log(
      `Monthly AWS cost for ${txPerDay.toLocaleString("en-US")} transactions a day, peaks of ${peak.toLocaleString("en-US")} a minute (and 10x, 100x)`,
    );
    console.log(
      `Prices: ${PRICES.region} list prices read on ${PRICES.date}${uplift !== 1 ? `, x${uplift} for the region` : ""}; 1 USD = ${rate.toFixed(1)} FCFA (1 EUR = ${PRICES.xafPerEur} FCFA).`,
    );
    console.log(
      `Per decision (measured on a lab decision): ${w.decisionBytes} B stored, ${w.eventBytes} B on the stream, profile ${w.profileBytes} B; decisions kept ${w.decisionTtlDays} days in DynamoDB.\n`,
    );
    console.log(table(estimates, rate));
    for (const { factor, e } of estimates) {
      const c = e.capacity;
      console.log(
        `\n${factor}x: ${c.peakPerSecond} req/s at peak, ${c.kinesisShards} Kinesis shard(s), ~${c.ingestConcurrency} concurrent ingest functions, ${c.peakWriteUnitsPerSecond} DynamoDB write units/s`,
      );
      for (const warning of e.warnings) console.log(`  - ${warning}`);
    }
    const lab = usdToXaf(estimates[0]!.e.totalUsd, rate);
    const ok = lab < budget;
    console.log(`\nBudget at 1x: ${lab.toLocaleString("fr-FR")} FCFA a month, ${ok ? "within" : "OVER"} the budget of ${budget.toLocaleString("fr-FR")} FCFA.`);
    return ok ? 0 : 1;
  },
};
