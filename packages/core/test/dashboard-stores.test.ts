import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openLocalPlatform, type LocalPlatform } from "../src/adapters/local/index.ts";
import { env } from "../src/platform/env.ts";
import { can } from "../src/user/users.ts";
import { seedDemo } from "../src/demo/seed.ts";
import { defaultSettings } from "../src/settings/settings.ts";
import { NOW } from "./support.ts";

const admin = { id: "admin", role: "admin" };
let dir: string;
let now: Date;
let p: LocalPlatform;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "fraud-dashboard-"));
  now = NOW;
  p = openLocalPlatform({ dataDir: dir, settings: defaultSettings, clock: () => now });
  await seedDemo(p, NOW);
});

afterEach(() => {
  p.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("people and sessions", () => {
  it("signs in with the right password only, and never stores it in clear", async () => {
    const user = await p.users.create({ username: "ana", display_name: "Ana", role: "analyst", password: "correct horse battery" }, admin);
    expect(await p.users.authenticate("ana", "correct horse battery")).toMatchObject({ id: user.id, role: "analyst" });
    expect(await p.users.authenticate("ana", "wrong password!!")).toBeUndefined();
    expect(await p.users.authenticate("nobody", "correct horse battery")).toBeUndefined();
    const row = p.db.prepare("SELECT password_hash FROM users WHERE id = ?").get(user.id) as { password_hash: string };
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain("correct horse");
  });

  it("refuses a taken user name with the field named", async () => {
    await p.users.create({ username: "ana", display_name: "Ana", role: "viewer", password: "long enough pass" }, admin);
    await expect(p.users.create({ username: "ana", display_name: "Other", role: "admin", password: "long enough pass" }, admin)).rejects.toMatchObject({
      code: "USERNAME_TAKEN",
      fields: { username: expect.any(Array) },
    });
  });

  it("ends sessions at expiry, on sign-out and when the account is disabled", async () => {
    const user = await p.users.create({ username: "vic", display_name: "Vic", role: "viewer", password: "long enough pass" }, admin);
    const a = await p.sessions.start(user.id, { idleMs: 60_000, maxMs: 3_600_000 });
    expect((await p.sessions.resolve(a.token))?.username).toBe("vic");
    expect(p.db.prepare("SELECT count(*) AS n FROM sessions WHERE token_hash = ?").get(a.token)).toEqual({ n: 0 });

    now = new Date(NOW.getTime() + 61_000);
    expect(await p.sessions.resolve(a.token)).toBeUndefined();

    const b = await p.sessions.start(user.id, { idleMs: 60_000, maxMs: 3_600_000 });
    await p.sessions.end(b.token);
    expect(await p.sessions.resolve(b.token)).toBeUndefined();

    const c = await p.sessions.start(user.id, { idleMs: 60_000, maxMs: 3_600_000 });
    await p.users.setDisabled(user.id, true, admin);
    expect(await p.sessions.resolve(c.token)).toBeUndefined();
    expect(await p.users.authenticate("vic", "long enough pass")).toBeUndefined();
  });

  it("moves the idle expiry at most once a minute and never past the absolute end", async () => {
    const user = await p.users.create({ username: "vic", display_name: "Vic", role: "viewer", password: "long enough pass" }, admin);
    const s = await p.sessions.start(user.id, { idleMs: 30 * 60_000, maxMs: 40 * 60_000 });
    const stored = () => p.db.prepare("SELECT expires_at, ends_at FROM sessions WHERE user_id = ?").get(user.id) as { expires_at: string; ends_at: string };
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();
    expect(stored()).toEqual({ expires_at: at(30), ends_at: at(40) });
    expect(s.ends_at).toBe(at(40));

    now = new Date(NOW.getTime() + 30_000);
    expect(await p.sessions.resolve(s.token)).toMatchObject({ id: user.id });
    expect(stored().expires_at).toBe(at(30));

    now = new Date(NOW.getTime() + 5 * 60_000);
    expect(await p.sessions.resolve(s.token)).toMatchObject({ id: user.id });
    expect(stored().expires_at).toBe(at(35));

    now = new Date(NOW.getTime() + 20 * 60_000);
    expect(await p.sessions.resolve(s.token)).toMatchObject({ id: user.id });
    expect(stored()).toEqual({ expires_at: at(40), ends_at: at(40) });
    now = new Date(NOW.getTime() + 40 * 60_000);
    expect(await p.sessions.resolve(s.token)).toBeUndefined();
  });

  it("reads the session time-outs from the environment, idle no longer than the maximum", () => {
    expect(env({}).sessionLifetime).toEqual({ idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 });
    expect(env({ FRAUD_SESSION_IDLE_MINUTES: "15", FRAUD_SESSION_MAX_HOURS: "8" }).sessionLifetime).toEqual({ idleMs: 15 * 60_000, maxMs: 8 * 3_600_000 });
    expect(() => env({ FRAUD_SESSION_IDLE_MINUTES: "120", FRAUD_SESSION_MAX_HOURS: "1" })).toThrow(/FRAUD_SESSION_IDLE_MINUTES/);
    expect(() => env({ FRAUD_SESSION_IDLE_MINUTES: "0" })).toThrow(/FRAUD_SESSION_IDLE_MINUTES/);
  });

  it("lets each role do what it may and no more", () => {
    expect(can("viewer", "read")).toBe(true);
    expect(can("viewer", "review.work")).toBe(false);
    expect(can("analyst", "rule.draft")).toBe(true);
    expect(can("analyst", "rule.publish")).toBe(false);
    expect(can("admin", "user.manage")).toBe(true);
  });
});

describe("review queue", () => {
  async function blocked(id: string) {
    const r = await p.scoring.submit({
      transaction_id: id,
      user_id: "user_001",
      amount: 9_000,
      merchant_id: "M",
      device_id: "device_other",
      timestamp: NOW.toISOString(),
    });
    if (r.status !== "recorded") throw new Error(r.status);
    expect(r.decision.decision).toBe("BLOCKED");
    return r.decision;
  }

  it("lists REVIEW and BLOCKED decisions until an analyst labels them, and counts the labels per rule", async () => {
    await blocked("b-1");
    await blocked("b-2");
    await p.scoring.submit({
      transaction_id: "ok-1",
      user_id: "user_004",
      amount: 10,
      merchant_id: "M",
      device_id: "device_premium",
      timestamp: NOW.toISOString(),
    });
    expect((await p.reviews.queue({})).map((c) => c.transaction_id)).toEqual(["b-2", "b-1"]);

    await p.reviews.assign({ transaction_id: "b-1", assignee: "ana" }, { id: "ana" });
    await p.reviews.label({ transaction_id: "b-1", label: "fraud", note: "card reported stolen" }, { id: "ana" });
    await p.reviews.label({ transaction_id: "b-2", label: "legitimate" }, { id: "ana" });

    expect(await p.reviews.queue({})).toEqual([]);
    expect(await p.reviews.get("b-1")).toMatchObject({ status: "closed", label: "fraud", assignee: "ana" });
    expect((await p.reviews.history("b-1")).map((e) => e.action)).toEqual(["assign", "label"]);
    const stats = await p.reviews.labelStats();
    expect(stats.by_decision.BLOCKED).toEqual({ fraud: 1, legitimate: 1 });
    expect(stats.by_rule.VERY_HIGH_AMOUNT).toEqual({ fraud: 1, legitimate: 1 });
    expect(await p.reviews.get("ok-1")).toBeUndefined();
    const audit = await p.auditTrail.list({ entity: "case", entity_id: "b-1" });
    expect(audit.map((a) => a.action)).toEqual(["case.label", "case.assign"]);
  });
});
