// `npm run fraud -- ...` and `npm run bench -- ...`: install if needed, then run the TypeScript entry point.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { root } from "./pnpm.mjs";
import { install } from "./setup.mjs";

const entries = {
  cli: join(root, "packages", "cli", "src", "index.ts"),
  bench: join(root, "bench", "index.ts"),
  synth: join(root, "scripts", "synth.ts"),
};
const [which, ...args] = process.argv.slice(2);
const file = entries[which];
if (!file || !existsSync(file)) {
  console.error(`unknown entry point '${which}'`);
  process.exit(2);
}
try {
  install();
} catch (e) {
  console.error(`[setup] ${e.message}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--import", "tsx", file, ...args], { stdio: "inherit", cwd: root });
process.exit(r.status ?? 1);
