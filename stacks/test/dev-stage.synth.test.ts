import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "@fraud/core";
import { list, synthesize, type Json, type Synthesized } from "./synthesized";

// A personal stage as `sst dev` deploys it (its own process). The site is not deployed: SST puts a
// placeholder server function in its place, and `npm run dev:aws` (`sst bind next dev` in
// packages/web) runs `next dev` with that function's environment and the credentials of its role.
let synth: Synthesized;
let placeholder: { id: string; props: Json };
beforeAll(async () => {
  synth = await synthesize({ stage: "dev-test", mode: "dev" });
  const fns = synth.resources("AWS::Lambda::Function", ["Web"]).filter((f) => f.props.Description === "Server handler placeholder");
  expect(fns.map((f) => f.id)).toEqual([expect.stringMatching(/^DashboardServerFunction/)]);
  placeholder = fns[0]!;
});
afterAll(() => synth?.remove());

describe("the dashboard under sst dev", () => {
  it("binds to next dev exactly the settings core's env() requires of an AWS deployment", () => {
    const variables = placeholder.props.Environment.Variables as Json;
    const fraud = Object.keys(variables).filter((k) => k.startsWith("FRAUD_"));
    // Deploy-time references stand in as names, as `sst bind` resolves them from the stage.
    const bound = Object.fromEntries(fraud.map((k) => [k, typeof variables[k] === "string" ? variables[k] : `dev-${k}`]));
    expect(Platform.env(bound).aws).toMatchObject({ decisionTtlDays: 90, athena: { database: "fraud_dev_test" } });
    // Each bound name is one the dashboard needs: without it, it does not start, and says which.
    for (const name of fraud.filter((k) => !["FRAUD_DEPLOYMENT", "FRAUD_DECISION_TTL_DAYS"].includes(k))) {
      const { [name]: _, ...without } = bound;
      expect(() => Platform.env(without), name).toThrow(new RegExp(`${name}: required when FRAUD_DEPLOYMENT=aws`));
    }
    expect(variables.FRAUD_DEPLOYMENT).toBe("aws");
  });

  it("binds the stage secrets the dashboard's server code reads through SST's Config, and no other", () => {
    const runtime = readFileSync(path.resolve(import.meta.dirname, "../../packages/web/src/server/runtime.ts"), "utf8");
    const read = [...runtime.matchAll(/Reflect\.get\(Config, "([A-Z_]+)"\)/g)].map((m) => m[1]).sort();
    expect(read).toEqual(["FRAUD_ADMIN_PASSWORD", "FRAUD_SESSION_SECRET"]);
    const variables = placeholder.props.Environment.Variables as Json;
    const secrets = Object.keys(variables)
      .filter((k) => k.startsWith("SST_Secret_value_"))
      .map((k) => k.replace("SST_Secret_value_", ""))
      .sort();
    expect(secrets).toEqual(read);
    for (const s of secrets) expect(variables[`SST_Secret_value_${s}`]).toBe("__FETCH_FROM_SSM__");
  });

  it("gives the role next dev runs with the deployed server function's grants: test transactions, no real decision", () => {
    const roleId = JSON.stringify(placeholder.props.Role).match(/"(DashboardServerFunctionRole[0-9A-F]{8})"/)?.[1];
    expect(roleId, "the placeholder's role").toBeDefined();
    const role = synth.resources("AWS::IAM::Role", ["Web"]).find((r) => r.id === roleId)!;
    // The developer's account assumes it, as `sst bind` does.
    expect(JSON.stringify(role.props.AssumeRolePolicyDocument)).toMatch(/arn:.*:iam::.*:root|"AWS"/);
    const statements = synth
      .resources("AWS::IAM::Policy", ["Web"])
      .filter((p) => list<Json>(p.props.Roles).some((r) => JSON.stringify(r).includes(roleId!)))
      .flatMap((p) => list<Json>(p.props.PolicyDocument.Statement));
    const on = (table: string) =>
      [
        ...new Set(
          statements
            .filter((st) => new RegExp(`${table}Table[0-9A-F]{8}`).test(JSON.stringify(st.Resource ?? "")))
            .flatMap((st) => list<string>(st.Action))
            .filter((a) => a.startsWith("dynamodb:")),
        ),
      ].sort();
    expect(on("Decisions")).toEqual(["dynamodb:GetItem", "dynamodb:Query"]);
    expect(on("Tests")).toEqual(["dynamodb:GetItem", "dynamodb:PutItem"]);
    expect(on("Users")).toEqual(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]);
    const actions = statements.flatMap((st) => list<string>(st.Action));
    expect(actions).toEqual(expect.arrayContaining(["athena:StartQueryExecution", "kms:Decrypt", "s3:PutObject"]));
    expect(actions.filter((a) => a.startsWith("kinesis:"))).toEqual([]);
  });

  it("runs our functions live: each is SST's bridge to the developer's machine, on nodejs22.x", () => {
    const ours = synth.resources("AWS::Lambda::Function").filter((f) => /^(Ingest|ScoredEventConsumer|LakeWriter|ReportRunner)[0-9A-F]{8}$/.test(f.id));
    expect(ours).toHaveLength(4);
    for (const fn of ours) expect(fn.props, fn.id).toMatchObject({ Handler: "live-lambda.handler", Runtime: "nodejs22.x" });
  });
});
