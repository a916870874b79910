import { Errors } from "@fraud/core";
import { BackupError, SchemaTooNewError } from "@fraud/core/local";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "./command.ts";
import { cliLog } from "./log.ts";
import { command as cost } from "./commands/cost.ts";
import { command as evaluate } from "./commands/eval.ts";
import { command as keys } from "./commands/keys.ts";
import { command as users } from "./commands/users.ts";
import { command as seed } from "./commands/seed.ts";
import { command as simulate } from "./commands/simulate.ts";
import { command as report } from "./commands/report.ts";
import { command as backtest } from "./commands/backtest.ts";
import { command as shadow } from "./commands/shadow.ts";
import { command as compact } from "./commands/compact.ts";
import { command as backup } from "./commands/backup.ts";
import { command as restore } from "./commands/restore.ts";

/** Every CLI command; each lives in its own file under commands/. */
export const COMMANDS: Command[] = [seed, simulate, keys, users, evaluate, report, backtest, shadow, compact, backup, restore, cost];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "usage: npm run fraud -- <command> [options]",
    "",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run a command with --help for its options.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(args);
  } catch (e) {
    if (
      e instanceof Errors.VisibleError ||
      (e as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ||
      (e as { code?: string }).code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE"
    ) {
      const fields = (e as Errors.VisibleError).fields;
      cliLog().error({ command: name, ...(e instanceof Errors.VisibleError ? { code: e.code } : {}), ...(fields ? { fields } : {}) }, (e as Error).message);
      cliLog().flush();
      return 2;
    }
    // The data directory cannot be opened as it is (a newer release's database, an unfinished restore): the operator acts, no stack trace helps.
    if (e instanceof SchemaTooNewError || e instanceof BackupError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
