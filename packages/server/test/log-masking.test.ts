import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startProcess } from "./processes.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("server logs hold no emails, phone numbers or secrets", () => {
  it("the worker process writes JSON lines, with personal data masked and its API key hidden", async () => {
    // The worker names its lake directory when it starts: put personal data in that path.
    const dir = mkdtempSync(join(tmpdir(), "fraud-jane.doe@example.com-+237670000001-"));
    dirs.push(dir);
    const key = "log-test-key-0123456789";
    const worker = startProcess("worker.ts", { FRAUD_DATA_DIR: dir, FRAUD_API_KEY: key, FRAUD_ADMIN_PASSWORD: "log-test-admin-pw" });
    const until = Date.now() + 60_000;
    while (!worker.output().includes('"worker started"') && Date.now() < until && worker.child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    worker.child.kill("SIGTERM");
    await worker.exited;
    const out = worker.output();
    const events = out
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const started = events.find((e) => e.message === "worker started");
    expect(started).toMatchObject({ level: "INFO", service: "worker" });
    expect(String(started!.lake)).toContain("f***@example.com-+**********01-");
    expect(events.at(-1)).toMatchObject({ message: "worker stopped after draining the outbox" });
    expect(out).not.toContain("jane.doe");
    expect(out).not.toContain("237670000001");
    expect(out).not.toContain(key);
  }, 90_000);
});
