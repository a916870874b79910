import { Logger } from "@aws-lambda-powertools/logger";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { maskConsole, maskLogValue } from "../src/log-masking.ts";
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

  it("Lambda's structured logs (Powertools) mask every string, errors included", () => {
    // In dev mode Powertools writes through the global console, where the test can read it.
    vi.stubEnv("POWERTOOLS_DEV", "true");
    const written: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: string) => void written.push(line));
    try {
      const logger = new Logger({ serviceName: "test", jsonReplacerFn: maskLogValue });
      logger.error("alert for jane.doe@example.com", { user_id: "+254712345678", error: new Error("webhook refused bob@example.org") });
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
    const line = written.join("");
    expect(line).toContain("j***@example.com");
    expect(line).toContain("+**********78");
    expect(line).toContain("b***@example.org");
    expect(line).not.toMatch(/jane\.doe|bob@|712345/);
  });

  it("the worker process masks its own log lines", async () => {
    // The worker names its lake directory when it starts: put personal data in that path.
    const dir = mkdtempSync(join(tmpdir(), "fraud-jane.doe@example.com-+237670000001-"));
    dirs.push(dir);
    const worker = startProcess("local/worker.ts", { FRAUD_DATA_DIR: dir, FRAUD_API_KEY: "log-test-key-0123456789", FRAUD_ADMIN_PASSWORD: "log-test-admin-pw" });
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
