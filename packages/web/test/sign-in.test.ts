import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { english, isRedirect, nextHeaders, openDashboard, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { signIn } = await import("@/actions/session");

let d: Dashboard;
beforeAll(async () => {
  d = await openDashboard();
});
afterAll(() => d?.close());

async function attempt(username: string, password: string): Promise<"signed in" | string> {
  await d.signInAs(null);
  const form = new FormData();
  form.set("username", username);
  form.set("password", password);
  try {
    const state = await signIn({ status: "idle" }, form);
    return state.message ?? JSON.stringify(state);
  } catch (e) {
    if (!isRedirect(e)) throw e;
    return (await nextHeaders.cookies()).get("fraud_session") ? "signed in" : "redirected without a session";
  }
}

describe("sign-in throttling", () => {
  it("locks a user name after 8 failed passwords, even against the right one; other people are unaffected", async () => {
    expect(await attempt("analyst1", "analyst-password-123")).toBe("signed in");
    for (let i = 0; i < 8; i++) expect(await attempt("analyst1", `wrong-password-${i}`)).toBe(english("login", "failed"));
    expect(await attempt("analyst1", "analyst-password-123")).toBe(english("login", "locked"));
    expect(await attempt("ANALYST1", "analyst-password-123")).toBe(english("login", "locked"));
    expect(await attempt("admin1", "admin-password-123")).toBe("signed in");
  });
});
