import { User } from "@fraud/core";
import { LocalLakeWriter, OutboxWorker } from "@fraud/core/local";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { english, isRedirect, openDashboard, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const account = await import("@/actions/account");
const alerts = await import("@/actions/alerts");
const analytics = await import("@/actions/analytics");
const lists = await import("@/actions/lists");
const profiles = await import("@/actions/profiles");
const review = await import("@/actions/review");
const rules = await import("@/actions/rules");
const session = await import("@/actions/session");
const settings = await import("@/actions/settings");
const test = await import("@/actions/test");
const modules = { account, alerts, analytics, lists, profiles, review, rules, session, settings, test };

/*
 * Every server action, called directly as a browser (or an attacker with a valid session) can call
 * it, with arbitrary FormData or arguments, by each role and signed out. Whatever comes in, an
 * action answers a form state or redirects; it never throws, never returns exception text, stores
 * nothing when it refuses, and changes nothing for a role that may not take it. The test page's
 * actions never change real data, whatever they accept.
 */

let d: Dashboard;
let flaggedTx = "";
let keyId = "";
const RUNS = Number(process.env.FRAUD_FUZZ_RUNS ?? 25);
const runs = { count: 0, refused: 0, accepted: 0, redirected: 0, forbidden: 0 };

beforeAll(async () => {
  d = await openDashboard();
  // Something to act on: flagged decisions (alerts and cases), a list entry, an API key, a lake.
  const p = d.platform;
  for (let i = 0; i < 6; i++) {
    const r = await p.scoring.submit({
      transaction_id: `fuzz-tx-${i}`,
      user_id: "user_00" + (1 + (i % 5)),
      amount: i % 2 ? 7_500 : 40,
      merchant_id: "MERCH_SUSPICIOUS",
      device_id: "device_unknown",
      location: "Douala, CM",
    });
    if (r.status === "recorded" && r.decision.decision !== "APPROVED") flaggedTx ||= r.decision.transaction_id;
  }
  const lake = await LocalLakeWriter.open(p.lakeDir);
  await new OutboxWorker(p.db, lake, { lakeFlushSeconds: 0 }).drain();
  lake.close();
  await p.lists.add({ kind: "block", field: "user_id", value: "user_002", reason: "seed", expires_at: null }, { id: "test" });
  keyId = (await p.apiKeys.create("fuzz", ["read"], { id: "test" })).info.id;
}, 60_000);
afterAll(() => d?.close());

const NASTY = [
  "",
  " ",
  "0",
  "1",
  "2",
  "3",
  "-1",
  "-0",
  "0.5",
  "1e308",
  "-1e308",
  "NaN",
  "Infinity",
  "1,5",
  "9".repeat(400),
  "x".repeat(5_000),
  "' OR '1'='1",
  "'; DROP TABLE lists; --",
  "<script>alert(1)</script>",
  "\u0000",
  "a\u0007b",
  "\u202e",
  "\ud800",
  "é́",
  "👩‍👩‍👧",
  "../../etc/passwd",
  "on",
  "true",
  "false",
  "me",
  "fraud",
  "legitimate",
  "block",
  "allow",
  "user_id",
  "device_id",
  "merchant_id",
  "viewer",
  "analyst",
  "admin",
  "user_001",
  "user_002",
  "HIGH_AMOUNT_VS_HISTORY",
  "NEW_RULE_X",
  "2025-06-01",
  "2999-12-31",
  "2024-02-30",
  "today",
  "REVIEW",
  "BLOCKED",
  "APPROVED",
  "amount > 1000.0",
  "features.amount > 5000.0",
  "process.exit()",
  "{}",
  "[]",
  "null",
  "__proto__",
  "constructor",
  "lab-abcd-1234",
  "demo-abcd-1234",
  "overview",
  "admin1",
  "admin-password-123",
  "/",
  "//evil.example",
  "/\\evil",
  "https://evil.example/",
  "en",
  "fr",
  "xx",
  "ingest",
  "read",
];
/** Values resolved once the platform exists (ids of things that are really there). */
const live = () => [flaggedTx, keyId, "fuzz-tx-1"];

const value = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.nat().map((i) => live()[i % live().length]!) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.double().map(String) },
);
const entry = (fields: readonly string[]) =>
  fc.tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...fields) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
      { weight: 1, arbitrary: fc.constant("$ACTION_ID_0") },
    ),
    fc.oneof(
      { weight: 12, arbitrary: value },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => new File([s], "x.csv", { type: "text/csv" })) },
    ),
  );
const formData = (fields: readonly string[]) =>
  fc.array(entry(fields), { maxLength: 12 }).map((entries) => {
    const f = new FormData();
    for (const [k, v] of entries) f.append(k, v);
    return f;
  });
/** Anything a client can send as a plain server-action argument. */
const anything = fc.oneof(
  fc.jsonValue(),
  value,
  fc.record({ runId: value, end: value, from: fc.oneof(fc.integer(), value), to: fc.oneof(fc.integer(), value) }, { requiredKeys: [] }),
);

type Call = {
  name: string;
  permission: User.Permission | "anyone";
  mutates: boolean;
  input: fc.Arbitrary<unknown>;
  call: (input: unknown) => Promise<unknown>;
};
const form = (
  name: string,
  permission: User.Permission | "anyone",
  mutates: boolean,
  fields: string[],
  fn: (prev: never, f: FormData) => Promise<unknown>,
): Call => ({
  name,
  permission,
  mutates,
  input: formData(fields),
  call: (f) => fn({ status: "idle" } as never, f as FormData),
});

const CALLS: Call[] = [
  form("account.changePassword", "anyone", true, ["current_password", "new_password", "confirm_password", "next"], account.changePassword),
  form("alerts.acknowledgeAlert", "review.work", true, ["id"], alerts.acknowledgeAlert),
  form("analytics.runReport", "report.run", false, ["report", "param.from", "param.to", "param.min_amount", "param.currency"], analytics.runReport),
  form("analytics.runBacktest", "rule.draft", true, ["version", "from", "to"], analytics.runBacktest),
  form(
    "analytics.saveReport",
    "report.save",
    true,
    [
      "name",
      "title",
      "description",
      "sql",
      "chart.kind",
      "chart.x",
      "chart.y",
      "parameters.0.name",
      "parameters.0.type",
      "parameters.0.label",
      "parameters.0.default",
    ],
    analytics.saveReport,
  ),
  form("lists.addListEntry", "list.edit", true, ["kind", "field", "value", "reason", "expires_at"], lists.addListEntry),
  form("lists.removeListEntry", "list.edit", true, ["id"], lists.removeListEntry),
  form("lists.importListCsv", "list.edit", true, ["csv", "file"], lists.importListCsv),
  form("profiles.editProfile", "profile.edit", true, ["user_id", "email", "phone", "risk_level", "last_device_id", "last_location"], profiles.editProfile),
  form("review.assignCase", "review.work", true, ["transaction_id", "assignee"], review.assignCase),
  form("review.labelCase", "review.work", true, ["transaction_id", "label", "note", "block_customer"], review.labelCase),
  form("review.noteCase", "review.work", true, ["transaction_id", "note"], review.noteCase),
  form("review.releaseCustomer", "review.work", true, ["transaction_id", "note"], review.releaseCustomer),
  {
    name: "rules.checkRuleExpression",
    permission: "read",
    mutates: false,
    input: fc.oneof(value, anything),
    call: (x) => rules.checkRuleExpression(x as string),
  },
  form("rules.saveRule", "rule.draft", true, ["id", "original_id", "name", "description", "expression", "score", "enabled"], rules.saveRule),
  form("rules.toggleRule", "rule.draft", true, ["id"], rules.toggleRule),
  form("rules.deleteRule", "rule.draft", true, ["id"], rules.deleteRule),
  form("rules.publishVersion", "rule.publish", true, ["version"], rules.publishVersion),
  form("rules.rollbackToVersion", "rule.publish", true, ["version"], rules.rollbackToVersion),
  form("session.signIn", "anyone", true, ["username", "password", "next"], session.signIn),
  { name: "session.signOut", permission: "anyone", mutates: true, input: fc.constant(undefined), call: () => session.signOut() },
  { name: "session.setLocale", permission: "anyone", mutates: false, input: formData(["locale"]), call: (f) => session.setLocale(f as FormData) },
  form("settings.saveThresholds", "settings.edit", true, ["review", "block", "fallback_decision", "time_budget_ms"], settings.saveThresholds),
  form("settings.createUser", "user.manage", true, ["username", "display_name", "role", "password"], settings.createUser),
  form("settings.updateUser", "user.manage", true, ["id", "role", "disabled"], settings.updateUser),
  form("settings.resetUserPassword", "user.manage", true, ["id"], settings.resetUserPassword),
  form("settings.createApiKey", "settings.edit", true, ["name", "scopes"], settings.createApiKey),
  form("settings.revokeApiKey", "settings.edit", true, ["id"], settings.revokeApiKey),
  form(
    "test.testTransaction",
    "transaction.test",
    true,
    [
      "transaction_id",
      "user_id",
      "amount",
      "merchant_id",
      "counterparty_id",
      "currency",
      "timestamp",
      "device_id",
      "location",
      "type",
      "latitude",
      "longitude",
    ],
    test.testTransaction,
  ),
  { name: "test.runLabBatch", permission: "transaction.test", mutates: true, input: anything, call: (x) => test.runLabBatch(x as never) },
];

/** What exception text looks like: a stack, an engine's error code, a path of this machine. */
const EXCEPTION_TEXT =
  /\n\s+at |SQLITE_|SqliteError|TypeError|ReferenceError|RangeError|Cannot read propert|is not a function|node_modules|\.tsx?:\d|fraud-web-|\/tmp\//;

const listCount = () => d.platform.db.prepare("SELECT count(*) FROM lists").pluck().get() as number;

/** One call as `role` (null: signed out), with every guarantee checked. */
async function check(c: Call, role: User.Role | null, input: unknown): Promise<void> {
  await d.signInAs(role);
  const before = d.snapshot();
  const realBefore = d.realSnapshot();
  const listsBefore = listCount();
  let result: unknown;
  let redirected = false;
  try {
    result = await c.call(input);
  } catch (e) {
    if (!isRedirect(e)) throw new Error(`${c.name} as ${role ?? "signed out"} threw ${String((e as Error)?.stack ?? e)}`);
    redirected = true;
  }
  runs.count++;
  const text = JSON.stringify(result ?? null);
  expect(text, `${c.name} returned exception text`).not.toMatch(EXCEPTION_TEXT);
  const allowed = c.permission === "anyone" || (role !== null && User.can(role, c.permission));
  const state = result as { status?: string; message?: string; data?: unknown } | undefined;
  if (!allowed) {
    // Signed out: to the sign-in page. Signed in without the role: refused, in words.
    if (role === null) expect(redirected, `${c.name} signed out`).toBe(true);
    else expect(state, `${c.name} as ${role}`).toMatchObject({ status: "error", message: english("errors", "forbidden") });
    expect(d.snapshot(), `${c.name} as ${role ?? "signed out"} changed the store`).toBe(before);
    runs.forbidden++;
    return;
  }
  if (redirected) runs.redirected++;
  else if (state?.status === "error") runs.refused++;
  else runs.accepted++;
  if (!c.mutates) expect(d.snapshot(), `${c.name} changed the store`).toBe(before);
  // The test page records tests only: whatever it is sent, no real profile, decision or figure moves.
  if (c.name.startsWith("test.")) expect(d.realSnapshot(), `${c.name} changed real data`).toBe(realBefore);
  if (state?.status === "error") {
    // A refused input stored nothing (an import stores exactly the rows its report calls imported).
    const imported = c.name === "lists.importListCsv" && Array.isArray(state.data) ? (state.data as Array<{ ok: boolean }>).filter((r) => r.ok).length : 0;
    if (imported === 0) expect(d.snapshot(), `${c.name} refused ${JSON.stringify(state)} yet wrote`).toBe(before);
    else expect(listCount() - listsBefore).toBe(imported);
  }
}

describe("every server action under fuzzing", () => {
  it("covers every exported action", () => {
    const exported = Object.entries(modules).flatMap(([m, mod]) =>
      Object.entries(mod)
        .filter(([, v]) => typeof v === "function")
        .map(([k]) => `${m}.${k}`),
    );
    expect(CALLS.map((c) => c.name).sort()).toEqual(exported.sort());
    expect(CALLS.every((c) => c.permission === "anyone" || c.permission in User.PERMISSIONS)).toBe(true);
  });

  for (const c of CALLS) {
    it(`${c.name}: any input, any role`, async () => {
      for (const role of [...User.ROLES, null]) {
        await fc.assert(
          fc.asyncProperty(c.input, async (input) => check(c, role, input)),
          { numRuns: role === null ? 5 : RUNS, seed: Number(process.env.FRAUD_FUZZ_SEED ?? Date.now() % 2 ** 31) },
        );
      }
    }, 120_000);
  }

  it("reports the counts", () => {
    console.log(
      `[fuzz] ${runs.count} server-action calls: ${runs.accepted} accepted, ${runs.refused} refused, ${runs.redirected} redirected, ${runs.forbidden} forbidden for the role`,
    );
    expect(runs.count).toBeGreaterThan(CALLS.length * 3 * RUNS);
  });
});
