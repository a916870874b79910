import { Demo, Platform, Settings, User } from "@fraud/core";
import { openLocalPlatform, type LocalPlatform, type LocalPlatformOptions } from "@fraud/core/local";
import { createHash } from "node:crypto";
import { createFormatter, createTranslator } from "next-intl";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/*
 * Server actions called directly, as Next calls them, outside a request: the platform is a real
 * one on SQLite files in a temp dir, and the few Next request APIs the actions use (cookies,
 * revalidatePath, translations) are stand-ins from this file, wired with vi.mock in each test.
 */

const cookieJar = new Map<string, string>();

/** The request's headers as the dashboard sees them (X-Forwarded-For from the server in front). */
export const requestHeaders = new Headers();

/** Stand-ins for `next/headers`: one browser's cookie jar. */
export const nextHeaders = {
  cookies: async () => ({
    get: (name: string) => (cookieJar.has(name) ? { name, value: cookieJar.get(name)! } : undefined),
    set: (name: string, value: string) => void cookieJar.set(name, value),
    delete: (name: string) => void cookieJar.delete(name),
  }),
  headers: async () => requestHeaders,
};

/** Stand-ins for `next/cache`: there is no page cache outside Next. */
export const nextCache = { revalidatePath: () => undefined, revalidateTag: () => undefined };

type Messages = { [key: string]: string | Messages };
const messages = JSON.parse(readFileSync(new URL("../messages/en.json", import.meta.url), "utf8")) as Messages;

/** next-intl's own translator over the English messages (ICU plurals and all); a missing message fails the test. */
function translator(namespace: string | undefined) {
  return createTranslator({
    locale: "en",
    messages,
    namespace: namespace as never,
    onError: (e) => {
      throw new Error(`no English message ${namespace}: ${e.message}`);
    },
  }) as unknown as ((key: string, values?: Record<string, string | number>) => string) & { has(key: string): boolean };
}

/** Stand-ins for `next-intl/server`: the English messages, the deployment's time zone. */
export const nextIntl = {
  getTranslations: async (ns?: string | { namespace?: string }) => translator(typeof ns === "string" ? ns : ns?.namespace),
  getTimeZone: async () => "Africa/Douala",
  getLocale: async () => "en",
  getMessages: async () => messages,
  getFormatter: async () => createFormatter({ locale: "en", timeZone: "Africa/Douala" }),
};

/** Every piece of text in a server component's output (its element tree and the props it passes on). */
export function textOf(node: unknown, out: string[] = []): string[] {
  if (typeof node === "string" || typeof node === "number") out.push(String(node));
  else if (Array.isArray(node)) for (const n of node) textOf(n, out);
  else if (node && typeof node === "object") {
    const props = (node as { props?: Record<string, unknown> }).props;
    for (const v of Object.values(props ?? {})) textOf(v, out);
  }
  return out;
}

export const english = (namespace: string, key: string) => translator(namespace)(key);

/** Where the test page records its transactions and its demo scenario runs' copies of profiles. */
const TEST_TABLES = new Set(["test_decisions", "test_profiles"]);

export interface Dashboard {
  platform: LocalPlatform;
  users: Record<User.Role, User.User>;
  /** Every later call is made by this person (or by nobody, signed out). */
  signInAs(role: User.Role | null): Promise<void>;
  /** A digest of everything stored except sessions and sign-in counts: equal digests mean nothing was written. */
  snapshot(): string;
  /** The same without the test page's own tables: everything a test transaction may not change. */
  realSnapshot(): string;
  close(): void;
}

/** A seeded platform behind the dashboard's server code, with one person of each role. */
export async function openDashboard(options: Pick<LocalPlatformOptions, "reports" | "clock"> = {}): Promise<Dashboard> {
  const dir = mkdtempSync(join(tmpdir(), "fraud-web-"));
  const platform = openLocalPlatform({ dataDir: dir, settings: Settings.defaultSettings, ...options });
  await Demo.seedDemo(platform, new Date(), { settings: Settings.defaultSettings });
  const users = {} as Record<User.Role, User.User>;
  for (const role of ["viewer", "analyst", "admin"] as const) {
    users[role] = await platform.users.create({ username: `${role}1`, display_name: `The ${role}`, role, password: `${role}-password-123` }, { id: "test" });
  }
  (globalThis as { __fraudRuntime?: unknown }).__fraudRuntime = {
    env: Platform.env({ ...process.env, FRAUD_DATA_DIR: dir }),
    platform,
    secrets: {
      api_key: "unused-in-these-tests",
      admin_password: "unused-in-these-tests",
      generated: false,
      session_secret: "the-dashboard-secret-of-these-tests",
    },
  };
  const tables = (
    platform.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('sessions', 'sign_in_attempts', 'sqlite_sequence')")
      .pluck()
      .all() as string[]
  ).sort();
  const dumps = tables.map((t) => platform.db.prepare(`SELECT * FROM "${t}"`).raw());
  return {
    platform,
    users,
    async signInAs(role) {
      cookieJar.clear();
      if (role) cookieJar.set("fraud_session", (await platform.sessions.start(users[role].id, User.DEFAULT_SESSION_LIFETIME)).token);
    },
    snapshot() {
      const h = createHash("sha256");
      tables.forEach((t, i) => h.update(t).update(JSON.stringify(dumps[i]!.all())));
      return h.digest("hex");
    },
    realSnapshot() {
      const h = createHash("sha256");
      tables.forEach((t, i) => {
        if (!TEST_TABLES.has(t)) h.update(t).update(JSON.stringify(dumps[i]!.all()));
      });
      return h.digest("hex");
    },
    close() {
      delete (globalThis as { __fraudRuntime?: unknown }).__fraudRuntime;
      platform.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Next's redirect() throws on purpose; the framework turns it into a navigation. */
export function isRedirect(e: unknown): boolean {
  return typeof (e as { digest?: unknown })?.digest === "string" && (e as { digest: string }).digest.startsWith("NEXT_REDIRECT");
}

/** Where a redirect() sends the browser (the URL as given to it). */
export function redirectTarget(e: unknown): string {
  if (!isRedirect(e)) throw e;
  return (e as { digest: string }).digest.split(";").slice(2, -2).join(";");
}
