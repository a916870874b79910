import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import { Table, type StackContext, type TableProps } from "sst/constructs";
import { Platform } from "@fraud/core";
import { TABLE_SCHEMAS, type TableKey, type TableSchema } from "@fraud/core/aws";
import { stageParams } from "./params";

/**
 * The customer-managed key every store is encrypted with, and the DynamoDB tables behind the
 * ports: profiles, rulesets (with the live and shadow pointers), lists, decisions, users (and API
 * keys), audit, the dashboard's review cases, alert inbox, live figures, saved reports,
 * backtests and test transactions, and the idempotency records of the alert consumer. Keys and
 * indexes come from the AWS adapters' TABLE_SCHEMAS.
 */
export function Core({ stack, app }: StackContext) {
  const params = stageParams(app.stage);
  const key = new kms.Key(stack, "DataKey", {
    description: `${app.stage} fraud platform: tables, stream, queue, topic, lake`,
    enableKeyRotation: true,
    alias: `alias/${app.logicalPrefixedName("data")}`,
    removalPolicy: app.stage === "prod" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  // CloudWatch alarms publish to the encrypted alert topic: the service must be able to use the key.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: ["*"],
      conditions: { StringEquals: { "aws:SourceAccount": stack.account } },
    }),
  );

  const encrypted = (extra: Omit<dynamodb.TableProps, "partitionKey" | "sortKey"> = {}): NonNullable<TableProps["cdk"]>["table"] => ({
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecovery: true,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    deletionProtection: app.stage === "prod",
    ...extra,
  });

  const table = (id: string, name: TableKey, extra: Omit<dynamodb.TableProps, "partitionKey" | "sortKey"> = {}) => {
    const schema: TableSchema = TABLE_SCHEMAS[name];
    return new Table(stack, id, {
      fields: schema.fields,
      primaryIndex: { partitionKey: schema.partitionKey, ...(schema.sortKey ? { sortKey: schema.sortKey } : {}) },
      ...(schema.indexes ? { globalIndexes: schema.indexes } : {}),
      ...(schema.ttl ? { timeToLiveAttribute: schema.ttl } : {}),
      ...(schema.stream ? { stream: "new_image" as const } : {}),
      cdk: { table: encrypted(extra) },
    });
  };
  const profiles = table("Profiles", "profiles");
  const rulesets = table("Rulesets", "rulesets");
  const lists = table("Lists", "lists");
  // Its change stream (new images) is the outbox the forwarder reads (stacks/Pipeline.ts).
  const decisions = table("Decisions", "decisions");
  const users = table("Users", "users");
  // Append-only: functions get PutItem on it and nothing that changes or deletes an entry.
  const audit = table("Audit", "audit");
  // The dashboard's stores: review cases and their history, the alert inbox (written by the stream
  // consumer), per-minute figures (the consumer's counters), saved reports and backtest results.
  const reviews = table("Reviews", "reviews");
  const alerts = table("Alerts", "alerts");
  const metrics = table("Metrics", "metrics");
  const analytics = table("Analytics", "analytics");
  // The dashboard's test transactions and its lab runs' copies of profiles, apart from the real
  // decisions: only the dashboard is granted it, and no stream or index reads it.
  const tests = table("Tests", "tests");
  // Idempotency records expire by TTL; nothing to recover.
  const idempotency = table("Idempotency", "idempotency", { pointInTimeRecovery: false });

  const tables = { profiles, rulesets, lists, decisions, users, audit, reviews, alerts, metrics, analytics, tests } satisfies Record<Platform.AwsTable, Table>;
  // Only the dashboard is told where test transactions are (testsEnvironment, stacks/Web.ts).
  const { FRAUD_TABLE_TESTS, ...sharedTables } = Platform.awsTableEnvironment(
    Object.fromEntries(Platform.AWS_TABLE_STORES.map((store) => [store, tables[store].tableName])) as Record<Platform.AwsTable, string>,
  );
  /** Table names as the AWS adapters read them from the environment. */
  const tableEnvironment: Record<string, string> = { ...sharedTables, FRAUD_DECISION_TTL_DAYS: String(params.FRAUD_DECISION_TTL_DAYS) };
  const testsEnvironment = { FRAUD_TABLE_TESTS };

  return { key, tables, idempotency, tableEnvironment, testsEnvironment, params };
}
