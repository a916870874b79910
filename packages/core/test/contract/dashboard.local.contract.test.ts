import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLocalPlatform } from "../../src/adapters/local/index.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { SIGN_IN_THROTTLE } from "../../src/user/throttle.ts";
import { dashboardContracts } from "./dashboard-suites.ts";
import { signInThrottleContracts } from "./sign-in-suites.ts";

dashboardContracts("local (SQLite)", async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), "fraud-dashboard-contract-"));
  const p = openLocalPlatform({ dataDir: dir, settings: defaultSettings, clock });
  return {
    users: p.users,
    sessions: p.sessions,
    auditTrail: p.auditTrail,
    signInThrottle: p.signInThrottle,
    async close() {
      p.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

signInThrottleContracts("local (SQLite)", async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), "fraud-throttle-contract-"));
  const handles: Array<ReturnType<typeof openLocalPlatform>> = [];
  return {
    async open() {
      const p = openLocalPlatform({ dataDir: dir, settings: defaultSettings, clock });
      handles.push(p);
      return p.signInThrottle;
    },
    async close() {
      for (const p of handles) p.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("local (SQLite): sign-in attempts on disk", () => {
  it("removes the rows of counts a day old as attempts come, so the table holds a day's worth", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fraud-throttle-prune-"));
    let t = Date.parse("2025-06-15T12:00:00.000Z");
    const p = openLocalPlatform({ dataDir: dir, settings: defaultSettings, clock: () => new Date(t) });
    try {
      const rows = () => p.db.prepare("SELECT count(*) FROM sign_in_attempts").pluck().get();
      for (let i = 0; i < 50; i++)
        await p.signInThrottle.attempt([
          { kind: "user", id: `name-${i}` },
          { kind: "address", id: `198.51.100.${i}` },
        ]);
      expect(rows()).toBe(100);
      t += SIGN_IN_THROTTLE.keepMs - 1;
      await p.signInThrottle.attempt([{ kind: "user", id: "late" }]);
      expect(rows()).toBe(101);
      t += 1;
      await p.signInThrottle.attempt([{ kind: "user", id: "later" }]);
      expect(rows()).toBe(2);
    } finally {
      p.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
