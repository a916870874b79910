import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { english, nextHeaders, openDashboard, redirectTarget, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { changePassword } = await import("@/actions/account");
const { signIn } = await import("@/actions/session");
const { resetUserPassword, createUser } = await import("@/actions/settings");
const { saveRule } = await import("@/actions/rules");
const auth = await import("@/server/auth");
const { liveJson } = await import("@/server/live");

let d: Dashboard;
beforeAll(async () => {
  d = await openDashboard();
});
afterAll(() => d?.close());

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};
const change = (current: string, next: string, extra: Record<string, string> = {}) =>
  form({ current_password: current, new_password: next, confirm_password: next, ...extra });
const cookie = async () => (await nextHeaders.cookies()).get("fraud_session")?.value;

/** Signs in through the sign-in form; the page it sends the browser to. */
async function signInWith(username: string, password: string, next?: string): Promise<string> {
  await d.signInAs(null);
  try {
    const state = await signIn({ status: "idle" }, form({ username, password, ...(next ? { next } : {}) }));
    throw new Error(`not signed in: ${JSON.stringify(state)}`);
  } catch (e) {
    return redirectTarget(e);
  }
}

/** What happens to a call: the page it redirects to, or its answer. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return await call();
  } catch (e) {
    return { redirect: redirectTarget(e) };
  }
}

describe("changing one's own password", () => {
  beforeEach(async () => {
    await d.signInAs("analyst");
  });

  it("needs the current password, follows the password policy, and says what is wrong in each field", async () => {
    const wrong = await changePassword({ status: "idle" }, change("not-my-password", "a brand new secret"));
    expect(wrong).toMatchObject({ status: "error", fields: { current_password: ["this is not your current password"] } });
    const short = await changePassword({ status: "idle" }, change("analyst-password-123", "short"));
    expect(short).toMatchObject({ status: "error", message: english("errors", "invalid"), fields: { new_password: ["must be at least 10 characters"] } });
    const unconfirmed = await changePassword(
      { status: "idle" },
      form({ current_password: "analyst-password-123", new_password: "a brand new secret", confirm_password: "a brand new secrex" }),
    );
    expect(unconfirmed).toMatchObject({ status: "error", fields: { confirm_password: ["the two new passwords differ"] } });
    expect(await d.platform.users.authenticate("analyst1", "analyst-password-123")).toBeDefined();
  });

  it("changes it, signs out the user's other sessions and keeps this browser signed in with a new session", async () => {
    const other = await d.platform.sessions.start(d.users.analyst.id, { idleMs: 60_000, maxMs: 3_600_000 });
    const before = await cookie();
    const state = await changePassword({ status: "idle" }, change("analyst-password-123", "analyst-password-456"));
    expect(state).toMatchObject({ status: "ok", message: english("password", "changed") });
    expect(await d.platform.sessions.resolve(other.token)).toBeUndefined();
    expect(await d.platform.sessions.resolve(before!)).toBeUndefined();
    const after = await cookie();
    expect(after).not.toBe(before);
    expect(await d.platform.sessions.resolve(after!)).toMatchObject({ username: "analyst1" });
    expect(await d.platform.users.authenticate("analyst1", "analyst-password-123")).toBeUndefined();
    expect(await d.platform.users.authenticate("analyst1", "analyst-password-456")).toMatchObject({ username: "analyst1" });
    const [entry] = await d.platform.auditTrail.list({ entity: "user", entity_id: "analyst1" });
    expect(entry).toMatchObject({ action: "user.password", actor: "analyst1" });
    await d.platform.users.setPassword(d.users.analyst.id, "analyst-password-123", { id: "test" });
  });

  it("sends a signed-out visitor to the sign-in page", async () => {
    await d.signInAs(null);
    expect(await outcome(() => changePassword({ status: "idle" }, change("analyst-password-123", "a brand new secret")))).toEqual({ redirect: "/login" });
  });
});

describe("an admin's reset of another user's password", () => {
  it("is refused to other roles and to the admin's own account, and stores nothing then", async () => {
    for (const role of ["viewer", "analyst"] as const) {
      await d.signInAs(role);
      expect(await resetUserPassword({ status: "idle" }, form({ id: d.users.viewer.id }))).toMatchObject({
        status: "error",
        message: english("errors", "forbidden"),
      });
    }
    await d.signInAs("admin");
    const state = await resetUserPassword({ status: "idle" }, form({ id: d.users.admin.id }));
    expect(state).toMatchObject({ status: "error", message: english("errors.visible", "CANNOT_RESET_OWN_PASSWORD") });
    expect(await d.platform.users.authenticate("viewer1", "viewer-password-123")).toBeDefined();
    expect(await d.platform.users.authenticate("admin1", "admin-password-123")).toBeDefined();
  });

  it("gives a temporary password once, ends the user's sessions, and lets them do nothing but choose their own", async () => {
    await d.signInAs("admin");
    await createUser({ status: "idle" }, form({ username: "carla", display_name: "Carla", role: "analyst", password: "carla-password-123" }));
    const carla = (await d.platform.users.byUsername("carla"))!;
    const open = await d.platform.sessions.start(carla.id, { idleMs: 60_000, maxMs: 3_600_000 });

    const reset = await resetUserPassword({ status: "idle" }, form({ id: carla.id }));
    expect(reset).toMatchObject({ status: "ok", data: { password: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) } });
    const temporary = reset.data!.password;
    expect(await d.platform.sessions.resolve(open.token)).toBeUndefined();
    expect(await d.platform.users.authenticate("carla", "carla-password-123")).toBeUndefined();
    expect((await d.platform.auditTrail.list({ entity: "user", entity_id: "carla" }))[0]).toMatchObject({ action: "user.password_reset", actor: "admin1" });

    // Signing in with it leads to the password page, keeping the page asked for.
    expect(await signInWith("carla", temporary, "/decisions?decision=BLOCKED")).toBe("/password?next=%2Fdecisions%3Fdecision%3DBLOCKED");
    // Until she chooses her own: every page, action and live figure sends her there or refuses.
    expect(await outcome(() => auth.requireUser())).toEqual({ redirect: "/password" });
    expect(await outcome(() => saveRule({ status: "idle" }, form({ id: "X", name: "x", expression: "amount > 1", score: "10" })))).toEqual({
      redirect: "/password",
    });
    expect(await auth.currentUser()).toBeNull();
    expect((await liveJson(async () => ({ secret: true }))).status).toBe(401);
    expect(await auth.sessionUser()).toMatchObject({ username: "carla", must_change_password: true });

    // Her own choice: to the page she asked for, with a new session, and everything open again.
    expect(await outcome(() => changePassword({ status: "idle" }, change(temporary, "carla-own-password", { next: "/decisions?decision=BLOCKED" })))).toEqual({
      redirect: "/decisions?decision=BLOCKED",
    });
    expect(await auth.requireUser()).toMatchObject({ username: "carla", must_change_password: false });
    expect(await signInWith("carla", "carla-own-password")).toBe("/");
  });
});
