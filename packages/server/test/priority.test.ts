import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ROOT } from "./processes.ts";

const priorityModule = fileURLToPath(new URL("../src/priority.ts", import.meta.url));

/**
 * Runs `body` in a fresh Node process (with its own V8 helper threads and libuv pool) after a
 * worker thread and a file read have started threads of their own; prints what `body` returns.
 */
function inChild(body: string): { before: number[]; after: number[]; threads: number; target: number } {
  const script = `
    import { Worker } from "node:worker_threads";
    import { readFile } from "node:fs/promises";
    import { lowerPriority, threadPriorities } from ${JSON.stringify(priorityModule)};
    import { setPriority } from "node:os";
    const sleeper = () => new Worker("setTimeout(() => {}, 60000)", { eval: true });
    const early = sleeper();
    await new Promise((r) => early.once("online", r));
    await readFile(${JSON.stringify(priorityModule)});
    const before = [...threadPriorities(process.pid).values()];
    // Seven steps lower than the priority this test runs at (nice 0 as a rule).
    const target = Math.min(19, before[0] + 7);
    ${body}
    const late = sleeper();
    await new Promise((r) => late.once("online", r));
    const after = [...threadPriorities(process.pid).values()];
    console.log(JSON.stringify({ before, after, threads: after.length, target }));
    process.exit(0);
  `;
  const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { before: number[]; after: number[]; threads: number; target: number };
}

// The guarantee under test is Linux's: a nice value belongs to a thread, and /proc lists them.
describe("lowerPriority (Linux)", () => {
  it("lowers every thread of the process, those started before it and after it", () => {
    const { before, after, threads, target } = inChild("lowerPriority(target);");
    // V8's helpers, libuv's pool and two worker threads: many threads, all at one priority before.
    expect(threads).toBeGreaterThan(5);
    expect(new Set(before).size).toBe(1);
    expect(target).toBeGreaterThan(before[0]!);
    expect(after).toHaveLength(threads);
    expect(new Set(after)).toEqual(new Set([target]));
  });

  it("leaves a thread that already runs at a lower priority as it is (raising one back needs privileges)", () => {
    const { after, target } = inChild("setPriority(target); lowerPriority(target - 3);");
    // The main thread (and the worker it starts afterwards) keep the lower priority; the others take target - 3.
    expect(new Set(after)).toEqual(new Set([target, target - 3]));
    expect(after.filter((n) => n === target).length).toBe(2);
  });

  it("is needed: os.setPriority alone lowers the calling thread and the threads it starts later, not the others", () => {
    const { before, after, target } = inChild("setPriority(target);");
    expect(after.filter((n) => n === target).length).toBe(2); // the main thread and the late worker
    expect(after.filter((n) => n === before[0]).length).toBeGreaterThan(2); // V8's helpers, the early worker, libuv's pool
  });
});
