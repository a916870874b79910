import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { english, isRedirect, nextHeaders, openDashboard, redirectTarget, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { signIn } = await import("@/actions/session");
const { sameSitePath } = await import("@/lib/redirect");

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
    for (const next of ["/", "/decisions?decision=BLOCKED&min=1000", "/rules/versions/3", "/reports?report=daily%20totals#chart", "/profiles/user_001?tab=history", "/review?assignee=me&status=open"]) {
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
