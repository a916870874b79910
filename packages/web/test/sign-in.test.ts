import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { english, isRedirect, nextHeaders, openDashboard, redirectTarget, requestHeaders, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { signIn } = await import("@/actions/session");
const { sameSitePath } = await import("@/lib/redirect");

let d: Dashboard;
let now = Date.parse("2025-06-15T12:00:00.000Z");
beforeAll(async () => {
  d = await openDashboard({ clock: () => new Date(now) });
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
  /** The wait message's fixed words and the number of seconds it gives. */
  const waits = (message: string) => {
    const m = /^Too many attempts: wait (\d+) seconds? before trying again\.$/.exec(message);
    return m ? Number(m[1]) : undefined;
  };

  it("makes a user name wait after 5 wrong passwords, longer with each one, and lets the owner in once the wait is over", async () => {
    requestHeaders.set("x-forwarded-for", "198.51.100.1");
    for (let i = 0; i < 5; i++) expect(await attempt("analyst1", `wrong-password-${i}`)).toBe(english("login", "failed"));
    // Even the right password is not checked while the name must wait.
    expect(waits(await attempt("analyst1", "analyst-password-123"))).toBe(1);
    expect(waits(await attempt("ANALYST1", "analyst-password-123"))).toBe(1);
    now += 1_000;
    expect(await attempt("analyst1", "wrong-password-5")).toBe(english("login", "failed"));
    expect(waits(await attempt("analyst1", "analyst-password-123"))).toBe(2);
    now += 2_000;
    expect(await attempt("analyst1", "wrong-password-6")).toBe(english("login", "failed"));
    expect(waits(await attempt("analyst1", "analyst-password-123"))).toBe(4);
    // Other people, from the same address, are not held up.
    expect(await attempt("admin1", "admin-password-123")).toBe("signed in");
    now += 4_000;
    expect(await attempt("analyst1", "analyst-password-123")).toBe("signed in");
    // A right password starts the count again.
    for (let i = 0; i < 5; i++) expect(await attempt("analyst1", `wrong-password-${i}`)).toBe(english("login", "failed"));
    expect(waits(await attempt("analyst1", "analyst-password-123"))).toBe(1);
  });

  it("answers alike whether the user name exists or not", async () => {
    requestHeaders.set("x-forwarded-for", "198.51.100.2");
    const answers = async (username: string) => {
      const out: string[] = [];
      for (let i = 0; i < 8; i++) out.push(await attempt(username, `wrong-password-${i}`));
      return out;
    };
    expect(await answers("viewer1")).toEqual(await answers("nobody-here"));
  });

  it("counts per address across many user names, and the wait grows there too", async () => {
    requestHeaders.set("x-forwarded-for", "203.0.113.9");
    for (let i = 0; i < 20; i++) expect(await attempt(`guess-${i}`, "password123")).toBe(english("login", "failed"));
    expect(waits(await attempt("viewer1", "viewer-password-123"))).toBe(1);
    now += 1_000;
    expect(await attempt("guess-20", "password123")).toBe(english("login", "failed"));
    expect(waits(await attempt("viewer1", "viewer-password-123"))).toBe(2);
    // The same person from another address signs in.
    requestHeaders.set("x-forwarded-for", "192.0.2.44");
    expect(await attempt("viewer1", "viewer-password-123")).toBe("signed in");
    // Only the address the server in front added counts, not what the client put before it.
    requestHeaders.set("x-forwarded-for", "10.9.8.7, 203.0.113.9");
    expect(waits(await attempt("viewer1", "viewer-password-123"))).toBe(2);
  });

  it("says how many minutes to wait once the wait passes a minute (12 failures: 128 s)", async () => {
    requestHeaders.set("x-forwarded-for", "198.51.100.3");
    for (let i = 0; i < 12; i++) {
      await attempt("admin1", `wrong-password-${i}`);
      now += 10 * 60_000;
    }
    now -= 10 * 60_000;
    expect(await attempt("admin1", "admin-password-123")).toBe("Too many attempts: wait 3 minutes before trying again.");
  });
});

/** Where a browser on this site goes when told to go to `location`. */
const SITE = "https://fraud.example";
const landsOn = (location: string) => new URL(location, `${SITE}/login`);

/** `next` values that start like a path of the site but that a browser reads as another site. */
const HOSTILE = [
  "//evil.example",
  "///evil.example",
  "/\\evil.example",
  "/\\/evil.example",
  "\\\\evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "\t//evil.example",
  " //evil.example",
  "/.//evil.example",
  "/./\\evil.example",
  "/x/..//evil.example",
  "https://evil.example/",
  "https:/evil.example",
  "https:evil.example",
  "http://evil.example",
  "javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "/%2F%2Fevil.example",
  "/%5Cevil.example",
  "/%5C%5Cevil.example",
  "%2F%2Fevil.example",
  "/%09/evil.example",
  "/\u0000//evil.example",
];

describe("the page after sign-in", () => {
  async function signInTo(next: string): Promise<string> {
    await d.signInAs(null);
    const form = new FormData();
    form.set("username", "viewer1");
    form.set("password", "viewer-password-123");
    form.set("next", next);
    try {
      const state = await signIn({ status: "idle" }, form);
      throw new Error(`not signed in: ${JSON.stringify(state)}`);
    } catch (e) {
      return redirectTarget(e);
    }
  }

  it.each(HOSTILE)("stays on the site when next is %j", async (next) => {
    const to = landsOn(await signInTo(next));
    expect(to.origin).toBe(SITE);
    expect(to.host).toBe("fraud.example");
  });

  it("keeps an ordinary page of the site, its query string and fragment included", async () => {
    for (const next of [
      "/",
      "/decisions?decision=BLOCKED&min=1000",
      "/rules/versions/3",
      "/reports?report=daily%20totals#chart",
      "/profiles/user_001?tab=history",
      "/review?assignee=me&status=open",
    ]) {
      expect(await signInTo(next)).toBe(next);
    }
  });

  it("goes to the overview when next is missing or not text", async () => {
    expect(await signInTo("")).toBe("/");
    expect(sameSitePath(undefined)).toBe("/");
    expect(sameSitePath(["/a", "/b"])).toBe("/");
  });

  it("gives each hostile value a path of this site, and one a browser cannot read as another host", () => {
    for (const next of HOSTILE) {
      const path = sameSitePath(next);
      expect(path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\"), JSON.stringify(next)).toBe(true);
      expect(landsOn(path).origin).toBe(SITE);
    }
  });
});
