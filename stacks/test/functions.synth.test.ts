import { readFileSync } from "node:fs";
import path from "node:path";
import { Function } from "sst/constructs";
import { useFunctions } from "sst/constructs/Function.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_TARGET, LAMBDA_RUNTIME } from "../runtime";
import { bundleSmoke } from "./bundle-smoke";
import { dashboardSmoke } from "./dashboard-smoke";
import { synthesize, type Synthesized } from "./synthesized";
import { zipEntries } from "./zip-entries";

// The functions as deployed: their runtime, their bundles, and the bundles run against emulators.
let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize({ stage: "test" });
});
afterAll(() => synth?.remove());

describe("runtimes", () => {
  it("runs every Lambda function of every stack on nodejs22.x, SST's and CDK's own included", () => {
    const fns = synth.resources("AWS::Lambda::Function");
    // Ours, the dashboard's server, image, revalidation and warmer functions, CDK's custom resources.
    expect(fns.length).toBeGreaterThanOrEqual(10);
    const off = fns.filter((f) => f.props.Runtime !== "nodejs22.x").map((f) => `${f.stack}/${f.id}: ${f.props.Runtime}`);
    expect(off).toEqual([]);
    const ours = fns.filter((f) => String(f.props.Handler).startsWith("packages/lambda/src/"));
    expect(ours.map((f) => f.props.Handler).sort()).toEqual(
      ["consumer", "ingest", "lake-writer", "outbox", "report"].map((n) => `packages/lambda/src/${n}.handler`),
    );
  });

  it("bundles each of our functions for that runtime's Node.js (esbuild target node22)", () => {
    expect([LAMBDA_RUNTIME, BUNDLE_TARGET]).toEqual(["nodejs22.x", "node22"]);
    const ours = synth.app.node.findAll().filter((c): c is Function => c instanceof Function);
    expect(ours.map((f) => f.node.id).sort()).toEqual(["Ingest", "LakeWriter", "OutboxForwarder", "ReportRunner", "ScoredEventConsumer"]);
    // What SST's bundler builds each function from.
    for (const fn of ours) {
      const props = useFunctions().fromID(fn.node.addr);
      expect(props?.runtime, fn.node.path).toBe(LAMBDA_RUNTIME);
      expect(props?.nodejs?.esbuild?.target, fn.node.path).toBe(BUNDLE_TARGET);
      expect(props?.nodejs?.format, fn.node.path).toBe("esm");
    }
  });
});

describe("deployable bundles", () => {
  it("the ingest bundle, as deployed, registers the bootstrap key and scores a transaction into the outbox on the DynamoDB emulator", async () => {
    const [ingest] = synth.resources("AWS::Lambda::Function", ["Api"]).filter((f) => f.props.Handler === "packages/lambda/src/ingest.handler");
    const dir = synth.assetPath(String(ingest!.props.Code.S3Key).replace(/\.zip$/, ""));
    expect(dir, "bundle of the ingest function").toBeDefined();
    const result = await bundleSmoke(path.join(dir!, "packages/lambda/src/ingest.mjs"));
    expect(result.response.statusCode).toBe(200);
    expect(JSON.parse(result.response.body)).toMatchObject({ transaction_id: "bundle-1", decision: expect.stringMatching(/^(APPROVED|REVIEW|BLOCKED)$/) });
    expect(result.events).toEqual(["bundle-1"]);
  });
});

describe("the dashboard's server function, from the OpenNext build of packages/web", () => {
  // The build is made (or found up to date) before the synth tests run: stacks/test/global-setup.ts.
  const web = path.resolve(import.meta.dirname, "../../packages/web");
  const bundle = path.join(web, ".open-next/server-functions/default");
  /** The zip SST uploads for the server function, as the synth made it. */
  const deployedZip = () => {
    const fns = synth.resources("AWS::Lambda::Function", ["Web"]).filter((f) => /^Dashboard\w*ServerFunction/.test(f.id));
    expect(fns).toHaveLength(1);
    const zip = synth.assetPath(String(fns[0]!.props.Code.S3Key).replace(/\.zip$/, ""));
    expect(zip, "asset of the server function").toMatch(/server-function\.zip$/);
    return zipEntries(zip!);
  };

  it("is the real build: the zip holds the Next.js build's BUILD_ID and its standalone server", () => {
    expect(synth.placeholder).toBe(false);
    const entries = deployedZip();
    const names = new Set(entries.map((e) => e.name));
    const buildId = entries.find((e) => e.name === "packages/web/.next/BUILD_ID");
    expect(buildId, "BUILD_ID in the zip").toBeDefined();
    expect(readFileSync(path.join(bundle, "packages/web/.next/BUILD_ID"), "utf8")).toBe(readFileSync(path.join(web, ".next/BUILD_ID"), "utf8"));
    expect(names).toContain("index.mjs");
    expect([...names].some((n) => n.startsWith("packages/web/.next/server/app/login/"))).toBe(true);
  });

  it("fits Lambda's 250 MB unzipped limit, and carries no native module: no SQLite, no DuckDB, no .node binary", () => {
    const entries = deployedZip();
    const unzipped = entries.reduce((sum, e) => sum + e.size, 0);
    const zipped = entries.reduce((sum, e) => sum + e.compressedSize, 0);
    console.log(
      `dashboard server function: ${entries.length} files, ${(unzipped / 1024 ** 2).toFixed(1)} MiB unzipped, ${(zipped / 1024 ** 2).toFixed(1)} MiB zipped`,
    );
    expect(unzipped).toBeLessThan(250 * 1024 ** 2);
    expect(entries.filter((e) => /better-sqlite3|duckdb/i.test(e.name)).map((e) => e.name)).toEqual([]);
    expect(entries.filter((e) => e.name.endsWith(".node")).map((e) => e.name)).toEqual([]);
  });

  it("answers the sign-in page in AWS mode: the stores on DynamoDB emulators, the admin account made from the stage secret", async () => {
    const { answers, admin, adminSignsIn } = await dashboardSmoke(bundle, [
      // A session cookie makes the page look the session up, which opens the AWS platform.
      { path: "/login", cookies: ["fraud_session=not-a-session-of-this-stage"] },
      { path: "/rules" },
    ]);
    const [login, rules] = answers;
    expect(login!.statusCode).toBe(200);
    expect(String(login!.headers["content-type"])).toMatch(/^text\/html/);
    const html = login!.isBase64Encoded ? Buffer.from(login!.body, "base64").toString("utf8") : login!.body;
    expect(html).toContain('<html lang="fr"');
    expect(html).toContain("Connexion");
    expect(html).toMatch(/name="password"/);
    // The proxy sends a visitor without a session to the sign-in page.
    expect(rules!.statusCode).toBe(307);
    expect(rules!.headers.location).toBe("/login?next=%2Frules");
    expect(admin).toMatchObject({ username: "admin", role: "admin" });
    expect(adminSignsIn).toBe(true);
  });
});
