// Runs the pinned pnpm (from package.json "packageManager") without needing it installed globally:
// the first call installs it into .tools/ with npm, which every Node 20 machine has.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];
const toolsDir = join(root, ".tools");
const pnpmBin = join(toolsDir, "node_modules", "pnpm", "bin", "pnpm.cjs");

export function ensurePnpm() {
  const installed = existsSync(pnpmBin) ? JSON.parse(readFileSync(join(toolsDir, "node_modules", "pnpm", "package.json"), "utf8")).version : null;
  if (installed === version) return pnpmBin;
  console.log(`[setup] installing pnpm ${version} into .tools/`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["install", "--prefix", toolsDir, "--no-save", "--no-package-lock", `pnpm@${version}`], {
    stdio: "inherit",
    cwd: root,
  });
  if (r.status !== 0) throw new Error(`could not install pnpm ${version} (npm exit ${r.status})`);
  return pnpmBin;
}

export function pnpm(args, options = {}) {
  const bin = ensurePnpm();
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: "inherit", cwd: root, ...options });
  return r.status ?? 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exit(pnpm(process.argv.slice(2)));
}
