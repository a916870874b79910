import { expect, test } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";
import { DASHBOARD_NICE, threadPriorities, WORKER_NICE } from "../packages/server/src/priority.ts";
import { E2E } from "./playwright.config";

/** The processes `npm start` runs for this suite's data directory, by entry file (Linux). */
function appProcesses(): Map<string, number> {
  const found = new Map<string, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    let environ: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      environ = readFileSync(`/proc/${entry}/environ`, "utf8");
    } catch {
      continue; // a process that ended meanwhile, or another user's
    }
    if (!environ.split("\0").includes(`FRAUD_DATA_DIR=${E2E.dataDir}`)) continue;
    const which = /server\/src\/(server|dashboard|worker)\.ts/.exec(cmdline)?.[1];
    if (which) found.set(which, Number(entry));
  }
  return found;
}

test("payments come first: every thread of the dashboard's and the worker's processes runs at a lower priority than the server", () => {
  const processes = appProcesses();
  expect([...processes.keys()].sort()).toEqual(["dashboard", "server", "worker"]);
  const niceOf = (which: string) => [...threadPriorities(processes.get(which)!).values()];
  // The suite may itself run at a lower priority than the default (nice 0): the server keeps the one it was started with.
  const server = new Set(niceOf("server"));
  expect(server.size).toBe(1);
  const started = [...server][0]!;
  expect(new Set(niceOf("dashboard"))).toEqual(new Set([Math.max(started, DASHBOARD_NICE)]));
  expect(new Set(niceOf("worker"))).toEqual(new Set([Math.max(started, WORKER_NICE)]));
});
