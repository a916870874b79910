// `npm run setup`: installs what is missing and builds what is stale. Safe to run repeatedly.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pnpm, root } from "./pnpm.mjs";

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry === ".next" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export function install() {
  const marker = join(root, "node_modules", ".modules.yaml");
  const manifests = [
    "pnpm-lock.yaml",
    "package.json",
    "pnpm-workspace.yaml",
    ...["core", "api", "server", "cli", "lambda", "web"].map((p) => `packages/${p}/package.json`),
  ];
  const stale = !existsSync(marker) || manifests.some((m) => newestMtime(join(root, m)) > statSync(marker).mtimeMs);
  if (!stale) return;
  console.log("[setup] installing dependencies with pnpm (first run compiles better-sqlite3: about a minute)");
  const status = pnpm(["install", "--frozen-lockfile", "--reporter=append-only"]);
  if (status !== 0) throw new Error(`pnpm install failed (exit ${status})`);
}

/**
 * Whether the dashboard's build in `web`/.next is complete and newer than its sources and core's:
 * the server it serves and the standalone server that the AWS build packages. A BUILD_ID alone
 * (the offline synth writes one) is not a build.
 */
export function webBuildIsFresh(web, coreSrc) {
  const next = join(web, ".next");
  const complete = ["BUILD_ID", "required-server-files.json", "standalone"].every((f) => existsSync(join(next, f)));
  return complete && statSync(join(next, "BUILD_ID")).mtimeMs >= Math.max(newestMtime(web), newestMtime(coreSrc));
}

export function buildWeb() {
  const web = join(root, "packages", "web");
  if (!existsSync(join(web, "package.json"))) return;
  if (webBuildIsFresh(web, join(root, "packages", "core", "src"))) return;
  console.log("[setup] building the dashboard (next build)");
  const status = pnpm(["--filter", "@fraud/web", "build"]);
  if (status !== 0) throw new Error(`dashboard build failed (exit ${status})`);
}

export function setup() {
  install();
  buildWeb();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    setup();
  } catch (e) {
    console.error(`[setup] ${e.message}`);
    process.exit(1);
  }
}
