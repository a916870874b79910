import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import { getStack } from "sst/constructs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api } from "../Api";
import { stageParams } from "../params";
import { synthApp } from "../synth";

// A stage that authorises the ingest API with JWTs from an identity provider (its own process:
// the stage parameters are read from the environment when the stacks are built).
const ISSUER = "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_Example";
let outdir: string;
let api: Template;
beforeAll(async () => {
  process.env.FRAUD_JWT_ISSUER = ISSUER;
  process.env.FRAUD_JWT_AUDIENCE = "client-a, client-b";
  outdir = mkdtempSync(path.join(tmpdir(), "fraud-synth-jwt-"));
  await synthApp({ stage: "jwt", outdir });
  api = Template.fromStack(getStack(Api));
});
afterAll(() => {
  delete process.env.FRAUD_JWT_ISSUER;
  delete process.env.FRAUD_JWT_AUDIENCE;
  rmSync(outdir, { recursive: true, force: true });
});

describe("JWT authorisation of the HTTP API", () => {
  it("puts a JWT authorizer with the stage's issuer and audiences on every route, and tells the function", () => {
    const authorizers = api.findResources("AWS::ApiGatewayV2::Authorizer");
    expect(Object.values(authorizers)).toHaveLength(1);
    const [id, authorizer] = Object.entries(authorizers)[0]!;
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: { Issuer: ISSUER, Audience: ["client-a", "client-b"] },
    });
    const routes = Object.values(api.findResources("AWS::ApiGatewayV2::Route"));
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) expect(route.Properties).toMatchObject({ AuthorizationType: "JWT", AuthorizerId: { Ref: id } });
    const ingest = Object.values(api.findResources("AWS::Lambda::Function")).find((f) => f.Properties.Handler === "packages/lambda/src/ingest.handler");
    expect(ingest!.Properties.Environment.Variables).toMatchObject({ FRAUD_JWT_ISSUER: ISSUER, FRAUD_JWT_AUDIENCE: "client-a,client-b" });
  });

  it("refuses an issuer without audiences, or audiences without an issuer", () => {
    expect(() => stageParams("x", { FRAUD_JWT_ISSUER: ISSUER })).toThrow(/go together/);
    expect(() => stageParams("x", { FRAUD_JWT_AUDIENCE: "client-a" })).toThrow(/go together/);
    expect(() => stageParams("x", { FRAUD_JWT_ISSUER: "http://insecure.example.com", FRAUD_JWT_AUDIENCE: "a" })).toThrow(/FRAUD_JWT_ISSUER/);
    expect(stageParams("x", {}).FRAUD_JWT_ISSUER).toBeUndefined();
  });
});
