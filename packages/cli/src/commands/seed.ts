import { Demo, Platform } from "@fraud/core";
import { openLocalRuntime, printSecretsOnce, secretsFile } from "@fraud/core/local";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";

export const command: Command = {
  name: "seed",
  summary: "Create the five demo customers and publish the demo ruleset (idempotent)",
  async run(args) {
    const { values } = parseArgs({ args, options: { help: { type: "boolean" } } });
    if (values.help) {
      console.log("usage: npm run fraud -- seed\n\nCreates what is missing; existing customers and rulesets are left as they are.");
      return 0;
    }
    const rt = await openLocalRuntime(Platform.env());
    printSecretsOnce(rt, secretsFile(rt.platform.dataDir));
    try {
      const report = await Demo.seedDemo(rt.platform, new Date(), { settings: rt.env.settings });
      console.log(
        `[seed] customers created: ${report.profilesCreated.length ? report.profilesCreated.join(", ") : "none (already there)"}; ` +
          `demo ruleset: ${report.rulesetPublished ? `published as version ${report.rulesetPublished}` : "a ruleset already exists"}`,
      );
      return 0;
    } finally {
      rt.platform.close();
    }
  },
};
