// `npm test`: the whole suite: setup, lint, type checks, the dashboard's AWS build,
// unit/integration tests, then browser tests.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pnpm, root } from "./pnpm.mjs";
import { setup } from "./setup.mjs";

try {
  setup();
} catch (e) {
  console.error(`[test] ${e.message}`);
  process.exit(1);
}

const reports = join(root, "test-results");
mkdirSync(reports, { recursive: true });
const vitestReport = join(reports, "vitest.json");
const playwrightReport = join(reports, "playwright.json");
rmSync(vitestReport, { force: true });
rmSync(playwrightReport, { force: true });

const steps = [
  ["format", ["exec", "prettier", "--check", "."]],
  ["lint", ["exec", "eslint", "--max-warnings=0", "."]],
  ["typecheck", ["-r", "--workspace-concurrency=1", "exec", "tsc", "--noEmit"]],
  ["typecheck stacks", ["exec", "tsc", "--noEmit", "-p", "stacks"]],
  // The dashboard as the AWS deployment runs it (OpenNext, on the Next.js build setup made); the
  // synth tests check its server function and run its handler.
  ["build:aws", ["exec", "node", "scripts/build-aws.mjs"]],
  ["vitest", ["exec", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestReport}`]],
];
if (existsSync(join(root, "e2e", "playwright.config.ts"))) steps.push(["e2e", ["exec", "playwright", "test", "-c", "e2e/playwright.config.ts"]]);

const failed = [];
for (const [name, args] of steps) {
  console.log(`\n[test] ${name}`);
  const started = Date.now();
  const status = pnpm(args);
  console.log(`[test] ${name}: ${status === 0 ? "passed" : `FAILED (exit ${status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (status !== 0) failed.push(name);
}
// One closing line for the whole suite, counted from the runners' own JSON reports.
let passed = 0;
let failedTests = 0;
let skipped = 0;
if (existsSync(vitestReport)) {
  const r = JSON.parse(readFileSync(vitestReport, "utf8"));
  passed += r.numPassedTests;
  failedTests += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}
if (existsSync(playwrightReport)) {
  const s = JSON.parse(readFileSync(playwrightReport, "utf8")).stats;
  passed += s.expected + (s.flaky ?? 0);
  failedTests += s.unexpected;
  skipped += s.skipped;
}
console.log(`\n[test] steps failed: ${failed.length ? failed.join(", ") : "none"}`);
console.log(`Tests: ${passed} passed, ${failedTests + (failed.length && !failedTests ? 1 : 0)} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed.length === 0 ? 0 : 1);
