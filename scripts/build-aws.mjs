// `npm run build:aws`: the dashboard as the AWS deployment runs it. OpenNext packages the
// dashboard's standalone Next.js build (made or reused by `npm run setup`) into
// packages/web/.open-next/: the Lambda server function, the static assets, the image, revalidation
// and warmer functions. `sst deploy` runs this script too (stacks/Web.ts), and the offline synth
// uses its output when present. `--force` rebuilds an up-to-date output.
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pnpm, root } from "./pnpm.mjs";
import { setup } from "./setup.mjs";

export const WEB = join(root, "packages", "web");
export const OPEN_NEXT = join(WEB, ".open-next");
/** The server function's bundle, as SST zips it for Lambda. */
export const SERVER_FUNCTION = join(OPEN_NEXT, "server-functions", "default");

/**
 * The embedded stack's native modules (SQLite, DuckDB), as pnpm and Next lay them out: a package
 * folder, its store entry (`better-sqlite3@12.11.1`, `@duckdb+node-api@...`) or Next's hashed
 * link to it (`better-sqlite3-a9b1...`). The dashboard on AWS opens DynamoDB, S3 and Athena and
 * never loads them, and their binaries are built for this machine, not for Lambda's arm64.
 */
export const EMBEDDED_NATIVE_MODULE = /^(better-sqlite3([@-].+)?|@duckdb(\+.+)?)$/;

/**
 * Removes the embedded stack's native modules from a server function bundle. Next traces them,
 * since the dashboard's code opens the embedded platform when FRAUD_DEPLOYMENT is not `aws`.
 * Returns what it removed, relative to `dir`.
 */
export function pruneEmbeddedModules(dir, at = "") {
  const removed = [];
  for (const name of readdirSync(join(dir, at))) {
    const rel = at === "" ? name : `${at}/${name}`;
    const full = join(dir, rel);
    const stat = lstatSync(full);
    if (EMBEDDED_NATIVE_MODULE.test(name)) {
      rmSync(full, { recursive: true, force: true });
      removed.push(rel);
    } else if (stat.isDirectory()) {
      removed.push(...pruneEmbeddedModules(dir, rel));
    }
  }
  return removed;
}

const readText = (file) => (existsSync(file) ? readFileSync(file, "utf8") : undefined);

/**
 * Whether packages/web/.open-next holds OpenNext's build of the current Next.js build: its server
 * function carries the same BUILD_ID, and the OpenNext configuration is not newer. The offline
 * synth's stand-in has no server build and is never taken for one.
 */
export function awsBuildIsFresh(web = WEB) {
  const openNext = join(web, ".open-next");
  const output = join(openNext, "open-next.output.json");
  const buildId = readText(join(web, ".next", "BUILD_ID"));
  const bundled = readText(join(openNext, "server-functions", "default", "packages", "web", ".next", "BUILD_ID"));
  if (!existsSync(output) || buildId === undefined || bundled !== buildId) return false;
  return statSync(output).mtimeMs >= statSync(join(web, "open-next.config.ts")).mtimeMs;
}

/** Builds what is stale: the dependencies, the Next.js build, then OpenNext's packaging. */
export function buildAws({ force = false } = {}) {
  setup();
  if (!force && awsBuildIsFresh()) {
    console.log("[build:aws] packages/web/.open-next is up to date");
    return;
  }
  console.log("[build:aws] packaging the dashboard for Lambda (OpenNext)");
  const status = pnpm(["--filter", "@fraud/web", "exec", "open-next", "build"], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (status !== 0) throw new Error(`OpenNext build failed (exit ${status})`);
  const removed = pruneEmbeddedModules(SERVER_FUNCTION);
  console.log(`[build:aws] left the embedded stack's native modules out of the server function: ${removed.length} paths`);
  if (!awsBuildIsFresh()) throw new Error("OpenNext build finished without a server function for the current Next.js build");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const started = Date.now();
    buildAws({ force: process.argv.includes("--force") });
    console.log(`[build:aws] done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${SERVER_FUNCTION}`);
  } catch (e) {
    console.error(`[build:aws] ${e.message}`);
    process.exit(1);
  }
}
