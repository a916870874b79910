import { databaseFile, openDatabase } from "@fraud/core/local";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadgenArgs, LoadgenResult } from "./loadgen.ts";

// The processes a benchmark starts and watches: the server and worker under measurement, their
// ports and credentials, and what /proc says of their CPU and memory.

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const entry = (p: string) => join(ROOT, "packages", p);
export const TSX = ["--import", "tsx"];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Proc {
  child: ChildProcess;
  exited: Promise<void>;
}

export function start(file: string, env: NodeJS.ProcessEnv, log: string, nodeFlags: string[] = []): Proc {
  const child = spawn(process.execPath, [...nodeFlags, ...TSX, entry(file)], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const out = createWriteStream(log);
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return { child, exited: new Promise((r) => child.once("exit", () => r())) };
}

export async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill("SIGTERM");
  const killed = await Promise.race([p.exited.then(() => true), sleep(5_000).then(() => false)]);
  if (!killed) {
    p.child.kill("SIGKILL");
    await p.exited;
  }
}

export async function waitForHealth(url: string, server: Proc, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (server.child.exitCode !== null) throw new Error(`the server exited with code ${server.child.exitCode}`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`server at ${url} not healthy after ${timeoutMs} ms`);
}

/** CPU seconds a process has used so far (user + system), from /proc. */
export function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function memoryOf(pid: number): { rss_mb: number; peak_rss_mb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss_mb: Math.round(kb("VmRSS") / 1024), peak_rss_mb: Math.round(kb("VmHWM") / 1024) };
}

/** A process `parentPid` started whose command line names `script` (the dashboard, the report process), if there is one. */
export function childProcessOf(parentPid: number, script: string): number | undefined {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
      if (ppid === parentPid && readFileSync(`/proc/${name}/cmdline`, "utf8").includes(script)) return Number(name);
    } catch {
      // the process ended while we looked: not ours
    }
  }
  return undefined;
}

/**
 * Waits until the worker has turned every decision so far into alerts and metrics, so that a step
 * of the rate search does not start with the backlog an overloaded step left behind.
 */
export async function workerCaughtUp(dataDir: string, timeoutMs: number): Promise<void> {
  const db = openDatabase(databaseFile(dataDir));
  try {
    const backlog = db.prepare<[], { n: number }>(
      "SELECT coalesce((SELECT max(id) FROM outbox), 0) - coalesce((SELECT last_id FROM consumer_offsets WHERE consumer = 'alerts_metrics'), 0) AS n",
    );
    const until = Date.now() + timeoutMs;
    while (backlog.get()!.n > 0 && Date.now() < until) await sleep(250);
  } finally {
    db.close();
  }
}

/** A fresh data directory, a free port and throw-away credentials for a server under measurement. */
/** Seeds the demo data into a deployment's data directory with the CLI, as `npm start` does. */
export function seedDeployment(env: NodeJS.ProcessEnv): void {
  const seeded = spawnSync(process.execPath, [...TSX, entry("cli/src/index.ts"), "seed"], { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
  if (seeded.status !== 0) throw new Error(`seeding failed (exit ${seeded.status})`);
}

export async function benchDeployment(prefix: string, more: NodeJS.ProcessEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const apiKey = randomBytes(24).toString("base64url");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FRAUD_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    FRAUD_API_KEY: apiKey,
    FRAUD_ADMIN_PASSWORD: randomBytes(12).toString("base64url"),
    ...more,
  };
  return { dataDir, port, apiKey, env };
}

/**
 * Starts the server and the worker as `npm start` does (separate processes, a fresh data
 * directory, seeded with the CLI), sends paced load from a third process, then proves that every
 * acknowledged transaction is in the decision log and, once the worker has caught up, in the lake.
 */

/** Runs the load generator in its own process (its own core) and reads its figures. */
export function runLoadgen(args: Omit<LoadgenArgs, "out">, dir: string): Promise<LoadgenResult> {
  const out = join(dir, `${args.runId}.json`);
  const child = spawn(process.execPath, [...TSX, join(ROOT, "bench", "loadgen.ts"), JSON.stringify({ ...args, out })], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  return new Promise((ok, fail) => {
    child.once("error", fail);
    child.once("exit", (code) =>
      code === 0 ? ok(JSON.parse(readFileSync(out, "utf8")) as LoadgenResult) : fail(new Error(`the load generator failed (exit ${code})`)),
    );
  });
}
