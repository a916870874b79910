import { Platform } from "@fraud/core";
import { labelKey } from "@fraud/core/aws";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmulators, type Emulators } from "../../core/test/contract/emulators.ts";
import { english, isRedirect, nextHeaders } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { ADMIN_SECRET_NOT_APPLIED, openAwsDashboard } = await import("@fraud/core/aws");
const { platform, runtime } = await import("@/server/runtime");
const { searchDecisions, transactionDetail } = await import("@/server/decisions");
const { currentUser } = await import("@/server/auth");
const { ruleStats, rulesState } = await import("@/server/rules");
const { signIn } = await import("@/actions/session");
const { saveRule, publishVersion } = await import("@/actions/rules");
const { testTransaction } = await import("@/actions/test");
const { labelCase } = await import("@/actions/review");

/*
 * The dashboard's server code on the AWS platform, as stacks/Web.ts configures it: the environment
 * the NextjsSite gets (FRAUD_DEPLOYMENT=aws, table, bucket and Athena names) validated by
 * core's env(), the stores on DynamoDB and S3 emulators, the admin account created from
 * the stage secret on first start. A rule is published and a transaction tried on the test form,
 * by server actions; a real transaction (as the ingest function records it) is listed and its case
 * labelled.
 */

const ADMIN_PASSWORD = "stage-secret-password-1";
let emulators: Emulators;
let decisionsTable = "";
let awsSource: NodeJS.ProcessEnv;
let awsEnv: ReturnType<typeof Platform.env>;

function formOf(values: Record<string, string>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(values)) form.set(k, v);
  return form;
}

/** Runs an action that may end in Next's redirect; the redirect is its success. */
async function submit<S>(action: () => Promise<S>): Promise<S | "redirected"> {
  try {
    return await action();
  } catch (e) {
    if (isRedirect(e)) return "redirected";
    throw e;
  }
}

beforeAll(async () => {
  emulators = await startEmulators();
  const tables = await emulators.createTables();
  decisionsTable = tables.decisions;
  awsSource = {
    NODE_ENV: "test",
    FRAUD_DEPLOYMENT: "aws",
    ...Platform.awsTableEnvironment(tables),
    FRAUD_LAKE_BUCKET: emulators.s3Bucket,
    FRAUD_ATHENA_WORKGROUP: "test-fraud-analysts",
    FRAUD_ATHENA_DATABASE: "fraud_test",
  };
  awsEnv = Platform.env(awsSource);
  const p = await openAwsDashboard(awsEnv, { adminPassword: ADMIN_PASSWORD, clients: emulators.clients });
  (globalThis as { __fraudRuntime?: unknown }).__fraudRuntime = {
    env: awsEnv,
    platform: p,
    secrets: { session_secret: "the-dashboard-secret-of-these-tests" },
  };
}, 60_000);

afterAll(async () => {
  delete (globalThis as { __fraudRuntime?: unknown }).__fraudRuntime;
  await emulators?.stop();
});

describe("the environment of an AWS deployment", () => {
  it("is refused when a store is not named, with every missing name listed", () => {
    expect(() => Platform.env({ NODE_ENV: "test", FRAUD_DEPLOYMENT: "aws", FRAUD_TABLE_PROFILES: "p" })).toThrow(
      /FRAUD_TABLE_RULESETS: required when FRAUD_DEPLOYMENT=aws[\s\S]*FRAUD_ATHENA_DATABASE/,
    );
  });

  it("is not needed locally: the default deployment is the embedded one", () => {
    const local = Platform.env({ NODE_ENV: "test" });
    expect(local.FRAUD_DEPLOYMENT).toBe("local");
    expect(local.aws).toBeUndefined();
  });
});

describe("the dashboard on the AWS platform", () => {
  it("opens the AWS stores and creates the admin account from the stage secret only once", async () => {
    const rt = await runtime();
    expect(rt.platform.deployment).toBe("aws");
    const admin = await rt.platform.users.byUsername("admin");
    expect(admin?.role).toBe("admin");
    // A second start (another Lambda container) keeps the account, whatever password it is given,
    // and warns when the secret is not the account's password.
    const warnings: string[] = [];
    await openAwsDashboard(awsEnv, { adminPassword: ADMIN_PASSWORD, clients: emulators.clients, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    await openAwsDashboard(awsEnv, { adminPassword: "another-password-22", clients: emulators.clients, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([`[fraud] warning: ${ADMIN_SECRET_NOT_APPLIED}`]);
    expect((await rt.platform.users.list()).filter((u) => u.username === "admin")).toHaveLength(1);
    expect(await rt.platform.users.authenticate("admin", "another-password-22")).toBeUndefined();
  });

  it("refuses to start on an empty deployment without the admin secret", async () => {
    const empty = await emulators.createTables();
    const bare = Platform.env({ ...awsSource, FRAUD_TABLE_USERS: empty.users });
    await expect(openAwsDashboard(bare, { adminPassword: undefined, clients: emulators.clients })).rejects.toThrow(/admin password is not set/);
  });

  it("signs the admin in, publishes a rule, tries a transaction as a test, then lists a real one and labels its case", async () => {
    const jar = await nextHeaders.cookies();
    jar.delete("fraud_session");
    expect(await submit(() => signIn({ status: "idle" }, formOf({ username: "admin", password: ADMIN_PASSWORD })))).toBe("redirected");
    expect(jar.get("fraud_session")).toBeDefined();

    const saved = await submit(() =>
      saveRule(
        { status: "idle" },
        formOf({ id: "BIG_AMOUNT", name: "Big amount", description: "", expression: "amount > 5000.0", score: "60", enabled: "on" }),
      ),
    );
    expect(saved).toBe("redirected");
    const { draft } = await rulesState();
    expect(draft?.rules.map((r) => r.id)).toEqual(["BIG_AMOUNT"]);
    const published = await publishVersion({ status: "idle" }, formOf({ version: String(draft!.version) }));
    expect(published.status).toBe("ok");
    expect((await (await platform()).rules.live())?.version).toBe(draft!.version);

    const p = await platform();
    const transaction = { user_id: "user_aws_1", amount: 9000, merchant_id: "MERCH_1", device_id: "device_1", location: "Douala, CM" };
    const tested = await testTransaction({ status: "idle" }, formOf({ ...transaction, transaction_id: "aws-web-test-1", amount: "9000" }));
    expect(tested.status).toBe("ok");
    expect(tested.data).toMatchObject({ transaction_id: "aws-web-test-1", decision: "REVIEW" });
    expect(tested.data?.fired.map((r) => r.id)).toEqual(["BIG_AMOUNT"]);
    // A test: nothing in the outbox (no alert, figure or lake row), no profile, no decision listed.
    expect(emulators.outbox(decisionsTable)).toEqual([]);
    expect(await p.profiles.get("user_aws_1")).toBeUndefined();
    const admin = (await currentUser())!;
    expect(await searchDecisions(admin, {})).toEqual([]);
    const detail = await transactionDetail(admin, "aws-web-test-1");
    expect(detail).toMatchObject({ decision: { transaction_id: "aws-web-test-1", test: true }, reviewCase: undefined, alerts: [] });

    // The same customer's real transaction, as the ingest function records it: first for this customer.
    const real = await p.scoring.submit({ ...transaction, transaction_id: "aws-web-1" });
    expect(real.status === "recorded" && real.decision.profile_before.is_new_customer).toBe(true);
    expect(emulators.outbox(decisionsTable).map((d) => d.transaction_id)).toEqual(["aws-web-1"]);

    const rows = await searchDecisions(admin, { decision: "REVIEW" });
    expect(rows.map((r) => r.transaction_id)).toEqual(["aws-web-1"]);
    expect(await searchDecisions(admin, { decision: "BLOCKED" })).toEqual([]);

    const labelled = await labelCase({ status: "idle" }, formOf({ transaction_id: "aws-web-1", label: "fraud", note: "confirmed by phone" }));
    expect(labelled).toMatchObject({ status: "ok", message: english("review", "confirmedFraud") });
    const c = await (await platform()).reviews.get("aws-web-1");
    expect(c).toMatchObject({ status: "closed", label: "fraud" });
    // The label is in the lake too, where Athena's precision figures read it.
    const object = await fetch(`${emulators.endpoints.s3}/${emulators.s3Bucket}/${labelKey("aws-web-1")}`);
    expect(object.status).toBe(200);
    expect(JSON.parse(await object.text())).toMatchObject({ transaction_id: "aws-web-1", label: "fraud" });

    // Hit counts over the history are the lake's (Athena) on AWS; the precision comes from the labels.
    const stats = await ruleStats();
    expect(stats.hits).toBeUndefined();
    expect(stats.labels.BIG_AMOUNT).toMatchObject({ fraud: 1 });
  });
});
