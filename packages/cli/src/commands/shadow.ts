import { Platform } from "@fraud/core";
import { openLocalRuntime } from "@fraud/core/local";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";

const HELP = `usage: npm run fraud -- shadow [--set VERSION | --clear]

Shows, sets or clears the shadow ruleset: a draft evaluated beside the live ruleset on every
transaction. Its decisions are recorded with each decision (and in the lake, for the
shadow_comparison report) and never acted on.`;

export const command: Command = {
  name: "shadow",
  summary: "Show, set or clear the shadow ruleset (a draft run beside the live one)",
  async run(args) {
    const { values } = parseArgs({ args, options: { set: { type: "string" }, clear: { type: "boolean", default: false }, help: { type: "boolean" } } });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const rt = await openLocalRuntime(Platform.env());
    try {
      const rules = rt.platform.rules;
      if (values.set !== undefined) await rules.setShadow(Number(values.set), { id: "cli" });
      else if (values.clear) await rules.setShadow(null, { id: "cli" });
      const version = await rules.shadowVersion();
      console.log(version === 0 ? "[shadow] no shadow ruleset" : `[shadow] version ${version} runs in shadow beside live version ${await rules.liveVersion()}`);
      return 0;
    } finally {
      rt.platform.close();
    }
  },
};
