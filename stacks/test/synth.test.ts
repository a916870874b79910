import { Match } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lake, Platform } from "@fraud/core";
import { list, synthesize, usesDataKey, type Json, type StackName, type Synthesized } from "./synthesized";

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize("test");
});
afterAll(() => synth?.remove());

const resources = (type: string, only?: string[]) => synth.resources(type, only);
const policyDocuments = () => synth.policyDocuments();

describe("every store is encrypted with the one customer-managed key", () => {
  it("has one KMS key, with rotation on", () => {
    expect(resources("AWS::KMS::Key")).toHaveLength(1);
    synth.templates.Core.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
  });

  it("encrypts every DynamoDB table with it, on demand, with point-in-time recovery for the data tables", () => {
    const tables = resources("AWS::DynamoDB::Table");
    expect(tables.map((t) => t.id.replace(/Table[0-9A-F]{8}$/, "")).sort()).toEqual(
      ["Alerts", "Analytics", "Audit", "Decisions", "Idempotency", "Lists", "Metrics", "Profiles", "Reviews", "Rulesets", "Tests", "Users"].sort(),
    );
    for (const t of tables) {
      expect(t.props.SSESpecification, t.id).toMatchObject({ SSEEnabled: true, SSEType: "KMS" });
      expect(usesDataKey(t.props.SSESpecification.KMSMasterKeyId), t.id).toBe(true);
      expect(t.props.BillingMode, t.id).toBe("PAY_PER_REQUEST");
      if (!t.id.startsWith("Idempotency")) expect(t.props.PointInTimeRecoverySpecification, t.id).toEqual({ PointInTimeRecoveryEnabled: true });
    }
    synth.templates.Core.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [{ AttributeName: "transaction_id", KeyType: "HASH" }],
      TimeToLiveSpecification: { AttributeName: "expires_at", Enabled: true },
    });
    for (const g of resources("AWS::DynamoDB::GlobalTable")) {
      expect(g.props.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: "KMS" });
      expect(usesDataKey(g.props.Replicas), g.id).toBe(true);
    }
  });

  it("encrypts the stream, queues, topic, lake bucket, Firehose output and Athena results with it", () => {
    const stream = resources("AWS::Kinesis::Stream");
    expect(stream).toHaveLength(1);
    expect(stream[0]!.props.StreamEncryption.EncryptionType).toBe("KMS");
    expect(usesDataKey(stream[0]!.props.StreamEncryption.KeyId)).toBe(true);

    const queues = resources("AWS::SQS::Queue");
    expect(queues.length).toBeGreaterThanOrEqual(2);
    for (const q of queues) expect(usesDataKey(q.props.KmsMasterKeyId), q.id).toBe(true);

    const topics = resources("AWS::SNS::Topic");
    expect(topics).toHaveLength(1);
    expect(usesDataKey(topics[0]!.props.KmsMasterKeyId)).toBe(true);

    const lake = resources("AWS::S3::Bucket", ["Lake"]);
    expect(lake).toHaveLength(1);
    const rule = lake[0]!.props.BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe("aws:kms");
    expect(usesDataKey(rule.ServerSideEncryptionByDefault.KMSMasterKeyID)).toBe(true);

    const firehose = resources("AWS::KinesisFirehose::DeliveryStream")[0]!.props.ExtendedS3DestinationConfiguration;
    expect(usesDataKey(firehose.EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN)).toBe(true);

    const wg = resources("AWS::Athena::WorkGroup")[0]!.props.WorkGroupConfiguration.ResultConfiguration.EncryptionConfiguration;
    expect(wg.EncryptionOption).toBe("SSE_KMS");
    expect(usesDataKey(wg.KmsKey)).toBe(true);
  });

  it("keeps only the dashboard's asset bucket out of the key (CloudFront cannot read KMS objects)", () => {
    const unencrypted = resources("AWS::S3::Bucket").filter((b) => !usesDataKey(b.props.BucketEncryption));
    expect(unencrypted.map((b) => `${b.stack}/${b.id}`)).toEqual([expect.stringMatching(/^Web\/DashboardS3Bucket/)]);
  });

  it("blocks public access to the lake, enforces TLS and expires what is temporary", () => {
    synth.templates.Lake.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: "raw/", Transitions: Match.anyValue() }),
          Match.objectLike({ Prefix: "error/", ExpirationInDays: 90, Status: "Enabled" }),
          Match.objectLike({ Prefix: "athena-results/", ExpirationInDays: 30, Status: "Enabled" }),
        ]),
      },
    });
    synth.templates.Lake.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } })]),
      },
    });
  });
});

describe("least privilege", () => {
  it("allows no wildcard action (`*` or `service:*`) in any policy", () => {
    const offending: string[] = [];
    for (const { where, doc, keyPolicy } of policyDocuments()) {
      for (const st of list<Json>(doc.Statement)) {
        if (st.Effect !== "Allow") continue;
        // The key policy's first statement hands the key's administration to the account's IAM.
        if (keyPolicy && JSON.stringify(st.Principal).includes(":root")) continue;
        for (const action of list<string>(st.Action)) {
          if (action === "*" || /^[a-z0-9-]+:\*$/i.test(action)) offending.push(`${where}: ${action}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it("attaches no AWS-managed policy but basic Lambda logging, and no FullAccess policy", () => {
    const managed = new Set<string>();
    for (const role of resources("AWS::IAM::Role")) {
      for (const arn of list<unknown>(role.props.ManagedPolicyArns)) managed.add(JSON.stringify(arn).match(/policy\/([\w/-]+)/)?.[1] ?? JSON.stringify(arn));
    }
    expect([...managed]).toEqual(["service-role/AWSLambdaBasicExecutionRole"]);
    expect(JSON.stringify(synth.json)).not.toMatch(/FullAccess/);
  });

  it("keeps the audit table append-only: no principal may update or delete its entries", () => {
    const auditWriters: string[] = [];
    for (const { where, doc } of policyDocuments()) {
      for (const st of list<Json>(doc.Statement)) {
        if (!JSON.stringify(st.Resource ?? "").includes("Audit")) continue;
        const actions = list<string>(st.Action).filter((a) => a.startsWith("dynamodb:"));
        auditWriters.push(...actions.filter((a) => /Update|Delete|BatchWrite/.test(a)).map((a) => `${where}: ${a}`));
      }
    }
    expect(auditWriters).toEqual([]);
  });

  it("gives secrets to functions only as SST Config secrets, never as plaintext environment", () => {
    for (const fn of resources("AWS::Lambda::Function")) {
      for (const [name, value] of Object.entries((fn.props.Environment?.Variables ?? {}) as Json)) {
        if (/PASSWORD|SECRET|API_KEY/.test(name)) expect(value, `${fn.id} ${name}`).toBe("__FETCH_FROM_SSM__");
      }
    }
    synth.templates.Api.hasResourceProperties("AWS::Lambda::Function", {
      Handler: "packages/lambda/src/ingest.handler",
      Environment: { Variables: Match.objectLike({ SST_Secret_value_FRAUD_API_KEY: "__FETCH_FROM_SSM__" }) },
    });
  });
});

describe("lake", () => {
  it("delivers the stream to raw/ as Parquet, partitioned by dt, with errors under error/", () => {
    const [delivery] = resources("AWS::KinesisFirehose::DeliveryStream");
    expect(delivery!.props.DeliveryStreamType).toBe("KinesisStreamAsSource");
    const s3 = delivery!.props.ExtendedS3DestinationConfiguration;
    expect(s3.Prefix).toBe("raw/dt=!{partitionKeyFromLambda:dt}/");
    expect(s3.ErrorOutputPrefix).toMatch(/^error\//);
    expect(s3.DynamicPartitioningConfiguration.Enabled).toBe(true);
    const conversion = s3.DataFormatConversionConfiguration;
    expect(conversion.Enabled).toBe(true);
    expect(conversion.OutputFormatConfiguration.Serializer.ParquetSerDe).toBeDefined();
    expect(conversion.SchemaConfiguration).toMatchObject({ DatabaseName: "fraud_test", TableName: "decisions", VersionId: "LATEST" });
  });

  it("defines the Glue table in code with exactly core's lake columns and partition projection", () => {
    const [table] = resources("AWS::Glue::Table").filter((t) => t.props.TableInput.Name === "decisions");
    const input = table!.props.TableInput;
    expect(input.StorageDescriptor.Columns).toEqual(Lake.LAKE_COLUMNS.map((c) => ({ Name: c.name, Type: c.type })));
    expect(input.PartitionKeys).toEqual([{ Name: Lake.LAKE_PARTITION.name, Type: Lake.LAKE_PARTITION.type }]);
    expect(input.Parameters).toMatchObject({ "projection.enabled": "true", "projection.dt.type": "date", "projection.dt.format": "yyyy-MM-dd" });
    expect(JSON.stringify(input.Parameters["storage.location.template"])).toContain("/raw/dt=${dt}/");
    expect(resources("AWS::Glue::Crawler")).toEqual([]);
  });

  it("defines the review labels' Glue table over labels/ (JSON, core's label columns), readable by report runners and written by the dashboard only", () => {
    const [labels] = resources("AWS::Glue::Table").filter((t) => t.props.TableInput.Name === "labels");
    const input = labels!.props.TableInput;
    expect(input.StorageDescriptor.Columns).toEqual(Lake.LABEL_COLUMNS.map((c) => ({ Name: c.name, Type: c.type })));
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe("org.openx.data.jsonserde.JsonSerDe");
    expect(JSON.stringify(input.StorageDescriptor.Location)).toMatch(/\/labels\/"/);
    expect(labels!.props.DatabaseName).toBe("fraud_test");

    const labelStatements = policyDocuments().flatMap(({ where, doc }) =>
      list<Json>(doc.Statement)
        .filter((st) => JSON.stringify(st.Resource ?? "").includes("/labels/*"))
        .map((st) => ({ where, actions: list<string>(st.Action) })),
    );
    const writers = labelStatements.filter((s) => s.actions.includes("s3:PutObject")).map((s) => s.where);
    expect(writers.length).toBeGreaterThan(0);
    for (const w of writers) expect(w).toMatch(/^Web\/Dashboard/);
    const readers = labelStatements.filter((s) => s.actions.includes("s3:GetObject")).map((s) => s.where.split("/")[0]);
    expect(new Set(readers)).toEqual(new Set(["Lake", "Web"]));
    const glueReads = policyDocuments().filter(({ doc }) =>
      list<Json>(doc.Statement).some((st) => list<string>(st.Action).includes("glue:GetTable") && JSON.stringify(st.Resource).includes("/labels")),
    );
    expect(glueReads.map((d) => d.where.split("/")[0]).sort()).toEqual(["Lake", "Web"]);
  });

  it("enforces the Athena workgroup's configuration and scan limit", () => {
    const [wg] = resources("AWS::Athena::WorkGroup");
    expect(wg!.props.WorkGroupConfiguration).toMatchObject({ EnforceWorkGroupConfiguration: true, BytesScannedCutoffPerQuery: 10 * 1024 ** 3 });
    expect(JSON.stringify(wg!.props.WorkGroupConfiguration.ResultConfiguration.OutputLocation)).toContain("/athena-results/");
  });
});

describe("functions and API", () => {
  it("throttles the HTTP API and sends every route to the ingest function", () => {
    synth.templates.Api.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
    });
    synth.templates.Api.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "$default" });
  });

  it("leaves authorisation to the function's API keys when the stage names no JWT issuer", () => {
    expect(resources("AWS::ApiGatewayV2::Authorizer")).toEqual([]);
    for (const route of resources("AWS::ApiGatewayV2::Route")) expect(route.props.AuthorizationType ?? "NONE").toBe("NONE");
    const [ingest] = resources("AWS::Lambda::Function", ["Api"]).filter((f) => f.props.Handler === "packages/lambda/src/ingest.handler");
    expect(Object.keys(ingest!.props.Environment.Variables)).not.toContain("FRAUD_JWT_ISSUER");
  });

  it("lets the ingest function write decisions and profiles but never scan or delete them, and put nothing on the stream", () => {
    const ingestPolicies = resources("AWS::IAM::Policy", ["Api"]).filter((p) => /Ingest/.test(p.id));
    const actions = ingestPolicies.flatMap((p) => list<Json>(p.props.PolicyDocument.Statement).flatMap((s) => list<string>(s.Action)));
    expect(actions).toEqual(expect.arrayContaining(["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:Query"]));
    expect(actions.filter((a) => /Scan|DeleteItem|DeleteTable/.test(a))).toEqual([]);
    expect(actions.filter((a) => a.startsWith("kinesis:"))).toEqual([]);
    const [ingest] = resources("AWS::Lambda::Function", ["Api"]).filter((f) => f.props.Handler === "packages/lambda/src/ingest.handler");
    expect(Object.keys(ingest!.props.Environment.Variables)).not.toContain("FRAUD_STREAM_NAME");
  });
});

describe("dashboard stores", () => {
  /** The DynamoDB actions a stack's policies allow on one Core table (by its logical id). */
  const tableActions = (stack: StackName, table: string, policy?: RegExp) =>
    resources("AWS::IAM::Policy", [stack])
      .filter((p) => !policy || policy.test(p.id))
      .flatMap((p) => list<Json>(p.props.PolicyDocument.Statement))
      .filter((st) => new RegExp(`${table}Table[0-9A-F]{8}`).test(JSON.stringify(st.Resource ?? "")))
      .flatMap((st) => list<string>(st.Action))
      .filter((a) => a.startsWith("dynamodb:"))
      .sort();

  it("lets the stream consumer raise alerts and count decisions, and nothing more on those tables", () => {
    expect(tableActions("Pipeline", "Alerts", /ScoredEventConsumer/)).toEqual(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]);
    expect(tableActions("Pipeline", "Metrics", /ScoredEventConsumer/)).toEqual(["dynamodb:PutItem", "dynamodb:UpdateItem"]);
    expect(tableActions("Pipeline", "Reviews")).toEqual([]);
    synth.templates.Pipeline.hasResourceProperties("AWS::Lambda::Function", {
      Handler: "packages/lambda/src/consumer.handler",
      Environment: { Variables: Match.objectLike({ FRAUD_TABLE_ALERTS: Match.anyValue(), FRAUD_TABLE_METRICS: Match.anyValue() }) },
    });
  });

  it("lets the report runner read saved reports and nothing else of the tables", () => {
    const runner = (t: string) => tableActions("Lake", t, /ReportRunner/);
    expect(runner("Analytics")).toEqual(["dynamodb:GetItem", "dynamodb:Query"]);
    for (const t of ["Reviews", "Alerts", "Metrics", "Decisions", "Audit"]) expect(runner(t), t).toEqual([]);
  });

  it("gives the ingest function none of the dashboard's tables", () => {
    for (const t of ["Reviews", "Alerts", "Metrics", "Analytics", "Tests"]) expect(tableActions("Api", t), t).toEqual([]);
  });

  it("gives the table of test transactions to the dashboard alone, and tells no other function its name", () => {
    for (const stack of ["Api", "Pipeline", "Lake"] as const) {
      expect(tableActions(stack, "Tests"), stack).toEqual([]);
      for (const f of resources("AWS::Lambda::Function", [stack]))
        expect(Object.keys(f.props.Environment?.Variables ?? {}), f.id).not.toContain("FRAUD_TABLE_TESTS");
    }
    expect(tableActions("Web", "Tests", /Dashboard/)).toEqual(["dynamodb:GetItem", "dynamodb:PutItem"]);
  });

  it("lets the dashboard work cases, acknowledge alerts, read figures and save reports, without scans, and delete only saved reports", () => {
    const web = (t: string) => tableActions("Web", t, /Dashboard/);
    expect(web("Reviews")).toEqual(["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]);
    expect(web("Alerts")).toEqual(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"]);
    expect(web("Metrics")).toEqual(["dynamodb:Query"]);
    expect(web("Analytics")).toEqual(["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]);
  });
});

describe("dashboard on AWS", () => {
  /** The Next.js server function: the site's function that runs the dashboard's server code. */
  const serverFunction = () => {
    const fns = resources("AWS::Lambda::Function", ["Web"]).filter((f) => f.props.Environment?.Variables?.FRAUD_DEPLOYMENT !== undefined);
    expect(fns.map((f) => f.id)).toEqual([expect.stringMatching(/^Dashboard\w*ServerFunction/)]);
    return fns[0]!;
  };

  it("gives the server function exactly the settings core's env() needs to open the AWS platform", () => {
    const variables = serverFunction().props.Environment.Variables as Json;
    const fraud = Object.keys(variables)
      .filter((k) => k.startsWith("FRAUD_"))
      .sort();
    expect(fraud).toEqual(
      [
        "FRAUD_DEPLOYMENT",
        ...["PROFILES", "RULESETS", "LISTS", "DECISIONS", "USERS", "AUDIT", "REVIEWS", "ALERTS", "METRICS", "ANALYTICS", "TESTS"].map(
          (t) => `FRAUD_TABLE_${t}`,
        ),
        "FRAUD_DECISION_TTL_DAYS",
        "FRAUD_LAKE_BUCKET",
        "FRAUD_ATHENA_WORKGROUP",
        "FRAUD_ATHENA_DATABASE",
      ].sort(),
    );
    expect(variables.FRAUD_DEPLOYMENT).toBe("aws");
    expect(variables.FRAUD_ATHENA_DATABASE).toBe("fraud_test");
    expect(JSON.stringify(variables.FRAUD_TABLE_REVIEWS)).toMatch(/ReviewsTable/);
    // Deploy-time references stand in as names: core's schema accepts the set as an AWS deployment.
    const resolved = Object.fromEntries(fraud.map((k) => [k, typeof variables[k] === "string" ? variables[k] : `synth-${k}`]));
    expect(Platform.env(resolved).aws).toMatchObject({ decisionTtlDays: 90, athena: { database: "fraud_test" } });
  });

  it("bootstraps the admin account from the FRAUD_ADMIN_PASSWORD secret, never a plaintext variable", () => {
    const variables = serverFunction().props.Environment.Variables as Json;
    expect(variables.SST_Secret_value_FRAUD_ADMIN_PASSWORD).toBe("__FETCH_FROM_SSM__");
    expect(Object.keys(variables)).not.toContain("FRAUD_ADMIN_PASSWORD");
  });

  it("lets the server function record test transactions and never a real decision, with named actions on named resources only", () => {
    const policies = resources("AWS::IAM::Policy", ["Web"]).filter((p) => /Dashboard\w*ServerFunction/.test(p.id));
    expect(policies.length).toBeGreaterThan(0);
    const statements = policies.flatMap((p) => list<Json>(p.props.PolicyDocument.Statement));
    for (const st of statements) {
      // OpenNext's own cache bucket grants use CDK's `s3:GetObject*` families; the platform's grants name each action.
      for (const a of list<string>(st.Action)) expect(a, JSON.stringify(st)).toMatch(/^(s3:[A-Za-z]+\*?|[a-z0-9-]+:[A-Za-z]+)$/);
      for (const r of list<unknown>(st.Resource)) expect(r, JSON.stringify(st)).not.toBe("*");
    }
    const platformActions = statements.flatMap((st) => list<string>(st.Action)).filter((a) => /^(dynamodb|kinesis|athena|glue|kms):/.test(a));
    expect(platformActions.filter((a) => a.includes("*"))).toEqual([]);
    const decisions = statements
      .filter((st) => /DecisionsTable[0-9A-F]{8}/.test(JSON.stringify(st.Resource ?? "")))
      .flatMap((st) => list<string>(st.Action))
      .filter((a) => a.startsWith("dynamodb:"));
    // Read, for the test page's id check and the transaction page; written by the ingest function only.
    expect([...new Set(decisions)].sort()).toEqual(["dynamodb:GetItem", "dynamodb:Query"]);
    const kinesis = statements.flatMap((st) => list<string>(st.Action)).filter((a) => a.startsWith("kinesis:"));
    expect(kinesis).toEqual([]);
  });
});
