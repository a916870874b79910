import { Platform } from "@fraud/core";
import { ADMIN_PASSWORD_NOT_APPLIED, openLocalRuntime, printStartWarnings } from "@fraud/core/local";
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/index.ts";

const ADMIN_PASSWORD = "runtime-admin-password";
let root: string;
let dataDir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "fraud-runtime-"));
  dataDir = join(root, "data");
  // The runtime reads its settings from the environment, once per process.
  process.env.FRAUD_DATA_DIR = dataDir;
  process.env.FRAUD_API_KEY = "runtime-test-key-0123456789";
  process.env.FRAUD_ADMIN_PASSWORD = ADMIN_PASSWORD;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("starting with the secrets in the environment", () => {
  it("creates the data directory owner-only and the admin account from FRAUD_ADMIN_PASSWORD, with nothing to warn about", async () => {
    const rt = await openLocalRuntime(Platform.env());
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(rt.warnings).toEqual([]);
      expect(await rt.platform.users.authenticate("admin", ADMIN_PASSWORD)).toMatchObject({ username: "admin" });
    } finally {
      rt.platform.close();
    }
  });

  it("keeps a password changed in the dashboard and warns, at each start, that FRAUD_ADMIN_PASSWORD is not applied", async () => {
    const first = await openLocalRuntime(Platform.env());
    const admin = (await first.platform.users.byUsername("admin"))!;
    await first.platform.users.setPassword(admin.id, "changed-in-the-dashboard", { id: "admin" });
    first.platform.close();

    const rt = await openLocalRuntime(Platform.env());
    try {
      expect(rt.warnings).toEqual([ADMIN_PASSWORD_NOT_APPLIED]);
      expect(await rt.platform.users.authenticate("admin", ADMIN_PASSWORD)).toBeUndefined();
      expect(await rt.platform.users.authenticate("admin", "changed-in-the-dashboard")).toMatchObject({ username: "admin" });
      const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
      printStartWarnings(rt);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([`[fraud] warning: ${ADMIN_PASSWORD_NOT_APPLIED}`]);
      warn.mockRestore();
    } finally {
      rt.platform.close();
    }
  });

  it("warns when the data directory is open to other users, and says how to close it", async () => {
    chmodSync(dataDir, 0o755);
    const rt = await openLocalRuntime(Platform.env());
    try {
      expect(rt.warnings).toContain(
        `The data directory ${dataDir} is open to other users (mode 755); it holds password hashes and customers' data. Make it owner-only: chmod 700 ${dataDir}`,
      );
      expect(statSync(dataDir).mode & 0o777).toBe(0o755);
    } finally {
      rt.platform.close();
    }
  });
});

describe("the way back in when no admin can sign in", () => {
  it("resets a password from the command line to a temporary one, shown once, that must be changed", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    expect(await main(["users", "reset-password", "ADMIN"])).toBe(0);
    const printed = log.mock.calls.map((c) => String(c[0])).join("\n");
    expect(await main(["users", "reset-password", "nobody"])).toBe(2);
    expect(await main(["users", "list"])).toBe(0);
    const listed = log.mock.calls.map((c) => String(c[0])).join("\n");
    log.mockRestore();
    const temporary = /: ([A-Za-z0-9_-]{16})$/.exec(printed)?.[1];
    expect(temporary).toBeDefined();
    expect(listed).toMatch(/^admin\s+admin\s+active {2}\(must change password\)$/m);

    const rt = await openLocalRuntime(Platform.env());
    try {
      expect(await rt.platform.users.authenticate("admin", "changed-in-the-dashboard")).toBeUndefined();
      expect(await rt.platform.users.authenticate("admin", temporary!)).toMatchObject({ username: "admin", must_change_password: true });
      expect((await rt.platform.auditTrail.list({ entity: "user", entity_id: "admin" }))[0]).toMatchObject({
        action: "user.password_reset",
        actor: expect.stringMatching(/^cli:/),
      });
    } finally {
      rt.platform.close();
    }
  });
});
