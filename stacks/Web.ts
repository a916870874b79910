import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Config, NextjsSite, use, type StackContext } from "sst/constructs";
import { Core } from "./Core";
import { grantTable, KMS_ENCRYPT, TABLE_READ } from "./grants";
import { Lake } from "./Lake";
import { LAMBDA_RUNTIME } from "./runtime";

/**
 * The dashboard (`packages/web`) on Lambda + CloudFront, opening the AWS platform
 * (FRAUD_DEPLOYMENT=aws). Its server actions get the tables they edit, the table of test
 * transactions its test page records, the Athena workgroup for saved reports, read access to the
 * lake files and write access to review labels; nothing else. It cannot record a real decision:
 * it may read the decisions table and may not write it, so nothing it does reaches the outbox. The admin
 * account is created on first start from the FRAUD_ADMIN_PASSWORD secret.
 */
export function Web({ stack }: StackContext) {
  const { key, tables, tableEnvironment, testsEnvironment } = use(Core);
  const { grantReports, grantLakeRead, grantLabelWrite, lakeEnvironment } = use(Lake);

  const adminPassword = new Config.Secret(stack, "FRAUD_ADMIN_PASSWORD");
  const sessionSecret = new Config.Secret(stack, "FRAUD_SESSION_SECRET");

  const site = new NextjsSite(stack, "Dashboard", {
    path: "packages/web",
    // SST writes a types file that points into .sst/; keep it there, out of the web package.
    typesPath: "../../.sst",
    runtime: LAMBDA_RUNTIME,
    // OpenNext pinned in packages/web, run by our build (Next.js build reused when up to date).
    buildCommand: "node ../../scripts/build-aws.mjs",
    memorySize: 1024,
    timeout: 20,
    bind: [adminPassword, sessionSecret],
    // What core's env() needs to open the AWS platform (FRAUD_DEPLOYMENT=aws), and nothing more.
    environment: {
      FRAUD_DEPLOYMENT: "aws",
      ...tableEnvironment,
      ...testsEnvironment,
      FRAUD_LAKE_BUCKET: lakeEnvironment.FRAUD_LAKE_BUCKET!,
      FRAUD_ATHENA_WORKGROUP: lakeEnvironment.FRAUD_ATHENA_WORKGROUP!,
      FRAUD_ATHENA_DATABASE: lakeEnvironment.FRAUD_ATHENA_DATABASE!,
    },
  });

  // Under `sst dev` the site is not deployed: `npm run dev:aws` (`sst bind next dev`) runs the
  // dashboard locally with the role of SST's placeholder server function, which gets the same grants.
  const devServer = site.node.tryFindChild("ServerFunction")?.node.tryFindChild("ServerFunction");
  const server = site.cdk?.function ?? (devServer instanceof lambda.Function ? devServer : undefined);
  if (server) {
    // The test page scores against the real profiles and decision ids, and writes only test transactions.
    grantTable(tables.decisions, server, key, TABLE_READ);
    grantTable(tables.tests, server, key, ["GetItem", "PutItem"]);
    grantTable(tables.profiles, server, key, [...TABLE_READ, "Scan", "UpdateItem"]);
    grantTable(tables.rulesets, server, key, [...TABLE_READ, "PutItem", "UpdateItem"]);
    grantTable(tables.lists, server, key, [...TABLE_READ, "Scan", "PutItem", "UpdateItem"]);
    grantTable(tables.users, server, key, [...TABLE_READ, "PutItem", "UpdateItem"]);
    grantTable(tables.audit, server, key, ["Query", "PutItem"]);
    // Review cases: the queue joins decisions with their case items (BatchGetItem); a change puts the case and its event.
    grantTable(tables.reviews, server, key, [...TABLE_READ, "BatchGetItem", "PutItem"]);
    // The inbox is raised by the stream consumer; the dashboard reads it and acknowledges alerts.
    grantTable(tables.alerts, server, key, [...TABLE_READ, "UpdateItem"]);
    grantTable(tables.metrics, server, key, ["Query"]);
    grantTable(tables.analytics, server, key, [...TABLE_READ, "PutItem", "UpdateItem", "DeleteItem"]);
    grantReports(server);
    grantLakeRead(server);
    grantLabelWrite(server);
  }

  // OpenNext's revalidation queue and tag-cache table hold page data: encrypt them with the CMK
  // too, and let the site's functions use the key. (The site bucket keeps SSE-S3: CloudFront's
  // origin access identity cannot read KMS-encrypted objects, and it holds build output and the
  // rendered-page cache, no lake data.)
  for (const child of site.node.findAll()) {
    if (child instanceof sqs.CfnQueue) child.kmsMasterKeyId = key.keyArn;
    if (child instanceof dynamodb.CfnGlobalTable) {
      child.sseSpecification = { sseEnabled: true, sseType: "KMS" };
      child.replicas = [{ region: stack.region, sseSpecification: { kmsMasterKeyId: key.keyArn } }];
    }
    if (child instanceof lambda.Function) key.grant(child, ...KMS_ENCRYPT);
  }

  stack.addOutputs({ DashboardUrl: site.url ?? "" });
  return { site };
}
