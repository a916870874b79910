import { afterEach, describe, expect, it } from "vitest";
import type { AuditTrail } from "../../src/platform/ports.ts";
import { changeOwnPassword, resetPassword } from "../../src/user/sign-in.ts";
import { type SessionStore, type SignInThrottle, type UserStore } from "../../src/user/ports.ts";
import { SIGN_IN_THROTTLE } from "../../src/user/throttle.ts";

/** The dashboard stores of one adapter, fresh and empty, and how to close them. */
export interface DashboardFixture {
  users: UserStore;
  sessions: SessionStore;
  auditTrail: AuditTrail;
  signInThrottle: SignInThrottle;
  close(): Promise<void>;
}
export type MakeDashboardFixture = (clock: () => Date) => Promise<DashboardFixture>;

/** A clock that ticks one second per reading from 2025-06-15 12:00 UTC, and can jump ahead. */
function steerableClock() {
  let t = Date.parse("2025-06-15T12:00:00.000Z");
  return {
    clock: () => new Date((t += 1_000)),
    advance(ms: number) {
      t += ms;
    },
  };
}

const ADMIN = { id: "admin-1" };
const MINUTE = 60_000;
const HOUR = { idleMs: 60 * MINUTE, maxMs: 60 * MINUTE };
const PASSWORD = "correct horse battery";

/**
 * The behaviour every adapter of the dashboard's ports must have: registered once for the local
 * adapter (SQLite) and once for the AWS one (DynamoDB emulator).
 */
export function dashboardContracts(adapter: string, make: MakeDashboardFixture): void {
  const open: DashboardFixture[] = [];
  const fixture = async () => {
    const time = steerableClock();
    const f = await make(time.clock);
    open.push(f);
    return { ...f, advance: time.advance };
  };
  afterEach(async () => {
    for (const f of open.splice(0)) await f.close();
  });

  describe(`${adapter}: UserStore`, () => {
    it("creates users, reads them by id and name, lists them by name, and refuses a taken name", async () => {
      const { users } = await fixture();
      const ana = await users.create({ username: "ana", display_name: "Ana", role: "analyst", password: PASSWORD }, ADMIN);
      expect(ana).toMatchObject({ username: "ana", display_name: "Ana", role: "analyst", disabled_at: null, must_change_password: false });
      expect(ana).not.toHaveProperty("password_hash");
      const bob = await users.create({ username: "bob", display_name: "Bob", role: "viewer", password: PASSWORD }, ADMIN);
      expect(await users.get(ana.id)).toEqual(ana);
      expect(await users.byUsername("bob")).toEqual(bob);
      expect(await users.get("no-such-id")).toBeUndefined();
      expect(await users.byUsername("nobody")).toBeUndefined();
      expect((await users.list()).map((u) => u.username)).toEqual(["ana", "bob"]);

      await expect(users.create({ username: "ana", display_name: "Other", role: "admin", password: PASSWORD }, ADMIN)).rejects.toMatchObject({
        code: "USERNAME_TAKEN",
        fields: { username: expect.any(Array) },
      });
      expect(await users.byUsername("ana")).toEqual(ana);
      expect(await users.list()).toHaveLength(2);
    });

    it("signs in with the right password of an enabled account only", async () => {
      const { users } = await fixture();
      const ana = await users.create({ username: "ana", display_name: "Ana", role: "analyst", password: PASSWORD }, ADMIN);
      expect(await users.authenticate("ana", PASSWORD)).toEqual(ana);
      expect(await users.authenticate(" ANA ", PASSWORD)).toEqual(ana);
      expect(await users.authenticate("ana", "wrong password!!")).toBeUndefined();
      expect(await users.authenticate("nobody", PASSWORD)).toBeUndefined();

      await users.setPassword(ana.id, "a brand new secret", ADMIN);
      expect(await users.authenticate("ana", PASSWORD)).toBeUndefined();
      expect(await users.authenticate("ana", "a brand new secret")).toEqual(ana);

      const disabled = await users.setDisabled(ana.id, true, ADMIN);
      expect(disabled.disabled_at).not.toBeNull();
      expect(await users.authenticate("ana", "a brand new secret")).toBeUndefined();
      expect((await users.setDisabled(ana.id, false, ADMIN)).disabled_at).toBeNull();
      expect(await users.authenticate("ana", "a brand new secret")).toEqual(ana);
    });

    it("changes roles, and refuses changes to an unknown user", async () => {
      const { users } = await fixture();
      const ana = await users.create({ username: "ana", display_name: "Ana", role: "viewer", password: PASSWORD }, ADMIN);
      expect(await users.setRole(ana.id, "admin", ADMIN)).toEqual({ ...ana, role: "admin" });
      expect(await users.get(ana.id)).toEqual({ ...ana, role: "admin" });
      await expect(users.setRole("no-such-id", "admin", ADMIN)).rejects.toMatchObject({ code: "USER_NOT_FOUND" });
      await expect(users.setDisabled("no-such-id", true, ADMIN)).rejects.toMatchObject({ code: "USER_NOT_FOUND" });
    });
  });

  describe(`${adapter}: SessionStore`, () => {
    it("resolves a session until it expires or is ended", async () => {
      const { users, sessions, advance } = await fixture();
      const vic = await users.create({ username: "vic", display_name: "Vic", role: "viewer", password: PASSWORD }, ADMIN);
      const a = await sessions.start(vic.id, { idleMs: 60_000, maxMs: 3_600_000 });
      expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(a.ends_at)).toBeGreaterThanOrEqual(Date.parse("2025-06-15T13:00:00.000Z"));
      expect(await sessions.resolve(a.token)).toEqual(vic);
      expect(await sessions.resolve("not-a-token")).toBeUndefined();

      const b = await sessions.start(vic.id, { idleMs: 60_000, maxMs: 3_600_000 });
      expect(b.token).not.toBe(a.token);
      await sessions.end(b.token);
      expect(await sessions.resolve(b.token)).toBeUndefined();
      expect(await sessions.resolve(a.token)).toEqual(vic);
      await sessions.end("not-a-token");

      advance(61_000);
      expect(await sessions.resolve(a.token)).toBeUndefined();
    });

    it("ends a session after its idle time-out, each request starting the time-out again", async () => {
      const { users, sessions, advance } = await fixture();
      const vic = await users.create({ username: "vic", display_name: "Vic", role: "viewer", password: PASSWORD }, ADMIN);
      const s = await sessions.start(vic.id, { idleMs: 30 * MINUTE, maxMs: 12 * 60 * MINUTE });
      const quiet = await sessions.start(vic.id, { idleMs: 30 * MINUTE, maxMs: 12 * 60 * MINUTE });
      // Active every 25 minutes for two hours: never 30 minutes idle, so still signed in.
      for (let i = 0; i < 5; i++) {
        advance(25 * MINUTE);
        expect(await sessions.resolve(s.token)).toEqual(vic);
      }
      // The one nobody used ended 30 minutes after sign-in.
      expect(await sessions.resolve(quiet.token)).toBeUndefined();
      advance(31 * MINUTE);
      expect(await sessions.resolve(s.token)).toBeUndefined();
    });

    it("ends an active session at its absolute end", async () => {
      const { users, sessions, advance } = await fixture();
      const vic = await users.create({ username: "vic", display_name: "Vic", role: "viewer", password: PASSWORD }, ADMIN);
      const s = await sessions.start(vic.id, { idleMs: 30 * MINUTE, maxMs: 2 * 60 * MINUTE });
      expect(Date.parse(s.ends_at) - Date.parse("2025-06-15T12:00:00.000Z")).toBeGreaterThanOrEqual(2 * 60 * MINUTE);
      expect(Date.parse(s.ends_at) - Date.parse("2025-06-15T12:00:00.000Z")).toBeLessThan(2 * 60 * MINUTE + MINUTE);
      for (let i = 0; i < 5; i++) {
        advance(20 * MINUTE);
        expect(await sessions.resolve(s.token)).toEqual(vic);
      }
      // 100 minutes in, active; past 120 minutes it ends although it was used 15 minutes ago.
      advance(15 * MINUTE);
      expect(await sessions.resolve(s.token)).toEqual(vic);
      advance(15 * MINUTE);
      expect(await sessions.resolve(s.token)).toBeUndefined();
    });

    it("does not bring back a session ended or idle too long", async () => {
      const { users, sessions, advance } = await fixture();
      const vic = await users.create({ username: "vic", display_name: "Vic", role: "viewer", password: PASSWORD }, ADMIN);
      const ended = await sessions.start(vic.id, { idleMs: 30 * MINUTE, maxMs: 12 * 60 * MINUTE });
      const idle = await sessions.start(vic.id, { idleMs: 30 * MINUTE, maxMs: 12 * 60 * MINUTE });
      advance(10 * MINUTE);
      await sessions.end(ended.token);
      advance(21 * MINUTE);
      expect(await sessions.resolve(idle.token)).toBeUndefined();
      expect(await sessions.resolve(ended.token)).toBeUndefined();
      advance(MINUTE);
      expect(await sessions.resolve(idle.token)).toBeUndefined();
      expect(await sessions.resolve(ended.token)).toBeUndefined();
    });

    it("ends a user's sessions when the account is disabled or the password changes", async () => {
      const { users, sessions } = await fixture();
      const vic = await users.create({ username: "vic", display_name: "Vic", role: "viewer", password: PASSWORD }, ADMIN);
      const ana = await users.create({ username: "ana", display_name: "Ana", role: "viewer", password: PASSWORD }, ADMIN);
      const v1 = await sessions.start(vic.id, HOUR);
      const a1 = await sessions.start(ana.id, HOUR);

      await users.setDisabled(vic.id, true, ADMIN);
      expect(await sessions.resolve(v1.token)).toBeUndefined();
      expect(await sessions.resolve(a1.token)).toEqual(ana);
      await users.setDisabled(vic.id, false, ADMIN);
      expect(await sessions.resolve(v1.token)).toBeUndefined();
      const v2 = await sessions.start(vic.id, HOUR);
      expect(await sessions.resolve(v2.token)).toMatchObject({ id: vic.id, disabled_at: null });

      await users.setPassword(ana.id, "a brand new secret", ADMIN);
      expect(await sessions.resolve(a1.token)).toBeUndefined();
      expect(await sessions.resolve(v2.token)).toMatchObject({ id: vic.id });
      const a2 = await sessions.start(ana.id, HOUR);
      expect(await sessions.resolve(a2.token)).toEqual(ana);

      // A role change shows on the next request of a session already open.
      await users.setRole(ana.id, "admin", ADMIN);
      expect(await sessions.resolve(a2.token)).toMatchObject({ id: ana.id, role: "admin" });
    });
  });

  describe(`${adapter}: password changes and resets`, () => {
    const change = (current: string, next: string) => ({ current_password: current, new_password: next, confirm_password: next });

    it("lets a user change their own password with the current one, ending their sessions, and audits it", async () => {
      const { users, sessions, auditTrail, signInThrottle } = await fixture();
      const ana = await users.create({ username: "ana", display_name: "Ana", role: "analyst", password: PASSWORD }, ADMIN);
      const bob = await users.create({ username: "bob", display_name: "Bob", role: "viewer", password: PASSWORD }, ADMIN);
      const a1 = await sessions.start(ana.id, HOUR);
      const b1 = await sessions.start(bob.id, HOUR);

      await expect(changeOwnPassword({ users, signInThrottle }, ana, change("not the password", "a brand new secret"))).rejects.toMatchObject({
        code: "WRONG_PASSWORD",
        fields: { current_password: expect.any(Array) },
      });
      expect(await users.authenticate("ana", PASSWORD)).toEqual(ana);
      expect(await sessions.resolve(a1.token)).toEqual(ana);

      expect(await changeOwnPassword({ users, signInThrottle }, ana, change(PASSWORD, "a brand new secret"))).toEqual({ status: "changed" });
      expect(await users.authenticate("ana", PASSWORD)).toBeUndefined();
      expect(await users.authenticate("ana", "a brand new secret")).toEqual(ana);
      expect(await sessions.resolve(a1.token)).toBeUndefined();
      expect(await sessions.resolve(b1.token)).toEqual(bob);

      const [entry] = await auditTrail.list({ entity: "user", entity_id: "ana" });
      expect(entry).toMatchObject({ action: "user.password", actor: "ana" });
      expect(JSON.stringify(await auditTrail.list({}))).not.toContain("a brand new secret");
    });

    it("checks the current password through the sign-in throttle", async () => {
      const { users, signInThrottle } = await fixture();
      const ana = await users.create({ username: "ana", display_name: "Ana", role: "analyst", password: PASSWORD }, ADMIN);
      for (let i = 0; i < SIGN_IN_THROTTLE.free.user; i++) {
        await expect(changeOwnPassword({ users, signInThrottle }, ana, change(`guess number ${i}`, "a brand new secret"))).rejects.toMatchObject({
          code: "WRONG_PASSWORD",
        });
      }
      // This fixture's clock moves a second per reading: guess on until a wait outlasts that.
      let answer: unknown;
      for (let i = 0; i < 20; i++) {
        answer = await changeOwnPassword({ users, signInThrottle }, ana, change(`late guess ${i}`, "a brand new secret")).catch(
          (e: { code: string }) => e.code,
        );
        if (((answer as { seconds?: number }).seconds ?? 0) >= 2) break;
      }
      expect(answer).toMatchObject({ status: "wait" });
      expect(await changeOwnPassword({ users, signInThrottle }, ana, change(PASSWORD, "a brand new secret"))).toMatchObject({ status: "wait" });
      expect(await users.authenticate("ana", PASSWORD)).toEqual(ana);
    });

    it("refuses a new password that breaks the policy, repeats the current one or is not confirmed", async () => {
      const { users, signInThrottle } = await fixture();
      const ana = await users.create({ username: "ana", display_name: "Ana", role: "analyst", password: PASSWORD }, ADMIN);
      for (const bad of [
        change(PASSWORD, "short"),
        change(PASSWORD, PASSWORD),
        { ...change(PASSWORD, "a brand new secret"), confirm_password: "a brand new secreT" },
      ]) {
        await expect(changeOwnPassword({ users, signInThrottle }, ana, bad)).rejects.toThrow();
      }
      expect(await users.authenticate("ana", PASSWORD)).toEqual(ana);
    });

    it("lets an admin reset another user's password to a temporary one that must be changed, ending their sessions", async () => {
      const { users, sessions, auditTrail, signInThrottle } = await fixture();
      const admin = await users.create({ username: "root", display_name: "Root", role: "admin", password: PASSWORD }, ADMIN);
      const ana = await users.create({ username: "ana", display_name: "Ana", role: "analyst", password: PASSWORD }, ADMIN);
      const a1 = await sessions.start(ana.id, HOUR);
      const actor = { id: admin.username, role: admin.role, userId: admin.id };

      await expect(resetPassword(users, admin.id, actor)).rejects.toMatchObject({ code: "CANNOT_RESET_OWN_PASSWORD" });
      await expect(resetPassword(users, "no-such-id", actor)).rejects.toMatchObject({ code: "USER_NOT_FOUND" });

      const { password } = await resetPassword(users, ana.id, actor);
      expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect((await resetPassword(users, ana.id, actor)).password).not.toBe(password);
      const { password: temporary } = await resetPassword(users, ana.id, actor);
      expect(await sessions.resolve(a1.token)).toBeUndefined();
      expect(await users.authenticate("ana", PASSWORD)).toBeUndefined();
      const pending = { ...ana, must_change_password: true };
      expect(await users.authenticate("ana", temporary)).toEqual(pending);
      expect(await users.get(ana.id)).toEqual(pending);
      const a2 = await sessions.start(ana.id, HOUR);
      expect(await sessions.resolve(a2.token)).toEqual(pending);

      // Her own choice clears the obligation and ends the session she made it from.
      await changeOwnPassword({ users, signInThrottle }, pending, change(temporary, "a brand new secret"));
      expect(await users.get(ana.id)).toEqual(ana);
      expect(await sessions.resolve(a2.token)).toBeUndefined();

      expect((await auditTrail.list({ entity: "user", entity_id: "ana" })).map((e) => [e.action, e.actor])).toEqual([
        ["user.password", "ana"],
        ["user.password_reset", "root"],
        ["user.password_reset", "root"],
        ["user.password_reset", "root"],
        ["user.create", "admin-1"],
      ]);
      expect(JSON.stringify(await auditTrail.list({}))).not.toContain(temporary);
    });
  });

  describe(`${adapter}: AuditTrail`, () => {
    it("lists the users' changes newest first, filtered and paged", async () => {
      const { users, auditTrail } = await fixture();
      const ana = await users.create({ username: "ana", display_name: "Ana", role: "viewer", password: PASSWORD }, ADMIN);
      await users.create({ username: "bob", display_name: "Bob", role: "viewer", password: PASSWORD }, { id: "admin-2" });
      await users.setRole(ana.id, "analyst", ADMIN);
      await users.setDisabled(ana.id, true, ADMIN);

      const all = await auditTrail.list({});
      expect(all.map((e) => [e.action, e.entity_id])).toEqual([
        ["user.disable", "ana"],
        ["user.role", "ana"],
        ["user.create", "bob"],
        ["user.create", "ana"],
      ]);
      const ats = all.map((e) => e.at);
      expect([...ats].sort().reverse()).toEqual(ats);
      expect(new Set(all.map((e) => e.id)).size).toBe(4);
      expect(all[1]).toMatchObject({
        actor: "admin-1",
        entity: "user",
        before: { role: "viewer", disabled: false },
        after: { role: "analyst", disabled: false },
      });
      expect(all[3]).toMatchObject({ action: "user.create", after: { display_name: "Ana", role: "viewer" } });
      expect(JSON.stringify(all)).not.toContain(PASSWORD);

      expect((await auditTrail.list({ entity: "user", entity_id: "ana" })).map((e) => e.action)).toEqual(["user.disable", "user.role", "user.create"]);
      expect((await auditTrail.list({ actor: "admin-2" })).map((e) => e.entity_id)).toEqual(["bob"]);
      expect(await auditTrail.list({ entity: "case" })).toEqual([]);

      const first = await auditTrail.list({ limit: 2 });
      expect(first).toEqual(all.slice(0, 2));
      expect(await auditTrail.list({ limit: 2, before_id: first[1]!.id })).toEqual(all.slice(2, 4));
    });
  });
}
