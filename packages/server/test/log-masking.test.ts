import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { maskConsole } from "@fraud/core/logs";
import { startProcess } from "./processes.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("server logs hold no emails or phone numbers", () => {
  it("a masked console writes every level through maskPersonalData", () => {
    const lines: string[] = [];
    const write = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    const target = { log: write, info: write, warn: write, error: write, debug: write };
    maskConsole(target);
    target.error("refused %s for %o", "jane.doe@example.com", { phone: "+237 670 00 00 01", amount: 2500 });
    target.log(new Error("no profile for 237670000001"));
    expect(lines[0]).toBe("refused j***@example.com for { phone: '+**********01', amount: 2500 }");
    expect(lines[1]).toMatch(/^Error: no profile for \*{10}01\n\s+at /);
  });

  it("the worker process masks its own log lines", async () => {
    // The worker names its lake directory when it starts: put personal data in that path.
    const dir = mkdtempSync(join(tmpdir(), "fraud-jane.doe@example.com-+237670000001-"));
    dirs.push(dir);
    const worker = startProcess("worker.ts", { FRAUD_DATA_DIR: dir, FRAUD_API_KEY: "log-test-key-0123456789", FRAUD_ADMIN_PASSWORD: "log-test-admin-pw" });
    const until = Date.now() + 60_000;
    while (!worker.output().includes("[worker] started") && Date.now() < until && worker.child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    worker.child.kill("SIGTERM");
    await worker.exited;
    const out = worker.output();
    expect(out).toContain("[worker] started");
    expect(out).toContain("f***@example.com-+**********01-");
    expect(out).not.toContain("jane.doe");
    expect(out).not.toContain("237670000001");
  }, 90_000);
});
