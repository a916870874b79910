import { Duration } from "aws-cdk-lib";
import * as athena from "aws-cdk-lib/aws-athena";
import * as glue from "aws-cdk-lib/aws-glue";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Bucket, Function, use, type StackContext } from "sst/constructs";
import { Lake as LakeDomain, Report } from "@fraud/core";
import { Core } from "./Core";
import { grantTable, KMS_DECRYPT, KMS_ENCRYPT } from "./grants";
import { lakeDelivery } from "./lake-delivery";
import { Pipeline } from "./Pipeline";

/** Where things live in the lake bucket; the local lake uses the same `raw/dt=YYYY-MM-DD/` layout. */
export const LAKE_PREFIX = { raw: "raw/", error: "error/", athena: "athena-results/", labels: LakeDomain.LABELS_PREFIX } as const;
/** The first day partition projection knows about. */
export const LAKE_FIRST_DAY = "2024-01-01";

type Stack = StackContext["stack"];
type App = StackContext["app"];
type CoreOutputs = ReturnType<typeof Core>;

/** The Glue database and tables report SQL and Firehose's conversion read, with their ARNs for grants. */
export interface LakeCatalog {
  databaseName: string;
  /** The name report SQL uses for the lake, locally (DuckDB view) and here. */
  tableName: string;
  table: glue.CfnTable;
  arns: { catalog: string; database: string; table: string; labelsTable: string };
}

/**
 * The decision lake: an encrypted bucket, Firehose from the decision stream to Parquet under
 * `raw/dt=YYYY-MM-DD/`, the Glue table (defined here, columns from core's schema, partition
 * projection instead of a crawler) and an Athena workgroup that enforces encryption and a scan limit.
 */
export function Lake({ stack, app }: StackContext) {
  const { key, params, tables, idempotency } = use(Core);
  const { stream, notify } = use(Pipeline);

  const bucket = lakeBucket(stack, key);
  const catalog = lakeCatalog(stack, app, bucket);
  const delivery = lakeDelivery(stack, { key, stream, bucket, catalog, claims: idempotency, notify });
  const workgroup = analystsWorkgroup(stack, app, { key, params, bucket });
  const { grantReports, grantLakeRead, grantLabelWrite } = lakeGrants(stack, { key, bucket, catalog, workgroup });
  const reportRunner = reportRunnerFunction(stack, { tables, key, catalog, workgroup, grantReports });

  const { databaseName, tableName } = catalog;
  const bucketName = bucket.bucketName;
  const lakeEnvironment: Record<string, string> = {
    FRAUD_LAKE_BUCKET: bucketName,
    FRAUD_ATHENA_WORKGROUP: workgroup.name,
    FRAUD_ATHENA_DATABASE: databaseName,
    FRAUD_ATHENA_TABLE: tableName,
  };
  stack.addOutputs({ LakeBucket: bucketName, AthenaWorkgroup: workgroup.name, GlueDatabase: databaseName });
  return { bucket, workgroup, databaseName, tableName, grantReports, grantLakeRead, grantLabelWrite, lakeEnvironment, reportRunner, delivery };
}

/** The lake bucket: KMS-encrypted, private, raw files moved to colder storage with age, scratch expired. */
function lakeBucket(stack: Stack, key: CoreOutputs["key"]): Bucket {
  return new Bucket(stack, "Lake", {
    cors: false,
    cdk: {
      bucket: {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: key,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycleRules: [
          {
            id: "raw-to-infrequent-access",
            prefix: LAKE_PREFIX.raw,
            transitions: [
              { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(90) },
              { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(365) },
            ],
          },
          { id: "expire-errors", prefix: LAKE_PREFIX.error, expiration: Duration.days(90) },
          { id: "expire-query-results", prefix: LAKE_PREFIX.athena, expiration: Duration.days(30) },
          { id: "abort-incomplete-uploads", abortIncompleteMultipartUploadAfter: Duration.days(2) },
        ],
      },
    },
  });
}

/** The Glue database, the decisions table (partition projection by day) and the review labels table. */
function lakeCatalog(stack: Stack, app: App, bucket: Bucket): LakeCatalog {
  const bucketName = bucket.bucketName;
  const databaseName = `fraud_${app.stage.replace(/[^a-z0-9]/gi, "_").toLowerCase()}`;
  const tableName = Report.LAKE_TABLE;
  const database = new glue.CfnDatabase(stack, "LakeDatabase", {
    catalogId: stack.account,
    databaseInput: { name: databaseName, description: "Fraud decisions lake" },
  });
  const rawLocation = `s3://${bucketName}/${LAKE_PREFIX.raw}`;
  const table = new glue.CfnTable(stack, "DecisionsTable", {
    catalogId: stack.account,
    databaseName,
    tableInput: {
      name: tableName,
      description: "Every scored transaction; columns generated from the core transaction schema",
      tableType: "EXTERNAL_TABLE",
      partitionKeys: [{ name: LakeDomain.LAKE_PARTITION.name, type: LakeDomain.LAKE_PARTITION.type }],
      parameters: {
        classification: "parquet",
        EXTERNAL: "TRUE",
        "parquet.compression": "SNAPPY",
        "projection.enabled": "true",
        "projection.dt.type": "date",
        "projection.dt.format": "yyyy-MM-dd",
        "projection.dt.range": `${LAKE_FIRST_DAY},NOW`,
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "DAYS",
        "storage.location.template": `${rawLocation}dt=\${dt}/`,
      },
      storageDescriptor: {
        location: rawLocation,
        columns: LakeDomain.LAKE_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
        inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serdeInfo: { serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
      },
    },
  });
  table.addDependency(database);

  // Review labels for report and backtest SQL: the dashboard writes one JSON line per labelled
  // transaction under labels/ (the object is replaced when the case is labelled again).
  const labelsLocation = `s3://${bucketName}/${LAKE_PREFIX.labels}`;
  const labelsTable = new glue.CfnTable(stack, "LabelsTable", {
    catalogId: stack.account,
    databaseName,
    tableInput: {
      name: Report.LABELS_TABLE,
      description: "Review labels, the latest per transaction; columns from core's LABEL_COLUMNS",
      tableType: "EXTERNAL_TABLE",
      parameters: { classification: "json", EXTERNAL: "TRUE" },
      storageDescriptor: {
        location: labelsLocation,
        columns: LakeDomain.LABEL_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
        inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        serdeInfo: { serializationLibrary: "org.openx.data.jsonserde.JsonSerDe" },
      },
    },
  });
  labelsTable.addDependency(database);

  const catalogArn = `arn:${stack.partition}:glue:${stack.region}:${stack.account}:catalog`;
  const databaseArn = `arn:${stack.partition}:glue:${stack.region}:${stack.account}:database/${databaseName}`;
  const tableArn = `arn:${stack.partition}:glue:${stack.region}:${stack.account}:table/${databaseName}/${tableName}`;
  const labelsTableArn = `arn:${stack.partition}:glue:${stack.region}:${stack.account}:table/${databaseName}/${Report.LABELS_TABLE}`;
  return { databaseName, tableName, table, arns: { catalog: catalogArn, database: databaseArn, table: tableArn, labelsTable: labelsTableArn } };
}

/** The Athena workgroup saved reports run in: encrypted results, a scan limit per query. */
function analystsWorkgroup(
  stack: Stack,
  app: App,
  { key, params, bucket }: { key: CoreOutputs["key"]; params: CoreOutputs["params"]; bucket: Bucket },
): athena.CfnWorkGroup {
  const bucketName = bucket.bucketName;
  return new athena.CfnWorkGroup(stack, "Analysts", {
    name: app.logicalPrefixedName("analysts"),
    description: "Saved reports over the decision lake",
    state: "ENABLED",
    recursiveDeleteOption: true,
    workGroupConfiguration: {
      enforceWorkGroupConfiguration: true,
      publishCloudWatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: params.FRAUD_ATHENA_SCAN_LIMIT_BYTES,
      engineVersion: { selectedEngineVersion: "Athena engine version 3" },
      resultConfiguration: {
        outputLocation: `s3://${bucketName}/${LAKE_PREFIX.athena}`,
        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKey: key.keyArn },
      },
    },
  });
}

/** The grants of the lake's uses, for functions of any stack: running reports, reading its files, writing labels. */
function lakeGrants(
  stack: Stack,
  { key, bucket, catalog, workgroup }: { key: CoreOutputs["key"]; bucket: Bucket; catalog: LakeCatalog; workgroup: athena.CfnWorkGroup },
) {
  const bucketArn = bucket.bucketArn;
  const { catalog: catalogArn, database: databaseArn, table: tableArn, labelsTable: labelsTableArn } = catalog.arns;
  const workgroupArn = `arn:${stack.partition}:athena:${stack.region}:${stack.account}:workgroup/${workgroup.name}`;

  /** What a function needs to run saved reports in the workgroup and read their results. */
  const grantReports = (grantee: iam.IGrantable) => {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution", "athena:GetWorkGroup"],
      resourceArns: [workgroupArn],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
      resourceArns: [catalogArn, databaseArn, tableArn, labelsTableArn],
    });
    iam.Grant.addToPrincipal({ grantee, actions: ["s3:GetBucketLocation", "s3:ListBucket"], resourceArns: [bucketArn] });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ["s3:GetObject"],
      resourceArns: [`${bucketArn}/${LAKE_PREFIX.raw}*`, `${bucketArn}/${LAKE_PREFIX.labels}*`, `${bucketArn}/${LAKE_PREFIX.athena}*`],
    });
    iam.Grant.addToPrincipal({ grantee, actions: ["s3:PutObject", "s3:AbortMultipartUpload"], resourceArns: [`${bucketArn}/${LAKE_PREFIX.athena}*`] });
    key.grant(grantee, ...KMS_ENCRYPT);
  };
  /** Read access to the lake files themselves (no writes, no deletes). */
  const grantLakeRead = (grantee: iam.IGrantable) => {
    iam.Grant.addToPrincipal({ grantee, actions: ["s3:ListBucket"], resourceArns: [bucketArn] });
    iam.Grant.addToPrincipal({ grantee, actions: ["s3:GetObject"], resourceArns: [`${bucketArn}/${LAKE_PREFIX.raw}*`] });
    key.grant(grantee, ...KMS_DECRYPT);
  };

  /** Writing review labels under labels/ (nothing else in the bucket). */
  const grantLabelWrite = (grantee: iam.IGrantable) => {
    iam.Grant.addToPrincipal({ grantee, actions: ["s3:PutObject"], resourceArns: [`${bucketArn}/${LAKE_PREFIX.labels}*`] });
    key.grant(grantee, ...KMS_ENCRYPT);
  };
  return { grantReports, grantLakeRead, grantLabelWrite };
}

/** The function that runs saved reports on Athena. */
function reportRunnerFunction(
  stack: Stack,
  {
    tables,
    key,
    catalog,
    workgroup,
    grantReports,
  }: {
    tables: CoreOutputs["tables"];
    key: CoreOutputs["key"];
    catalog: LakeCatalog;
    workgroup: athena.CfnWorkGroup;
    grantReports: (grantee: iam.IGrantable) => void;
  },
): Function {
  const { databaseName, tableName } = catalog;
  const reportRunner = new Function(stack, "ReportRunner", {
    handler: "packages/lambda/src/report.handler",
    architecture: "arm_64",
    memorySize: 256,
    timeout: 300,
    tracing: "active",
    logRetention: "one_month",
    environment: {
      FRAUD_ATHENA_WORKGROUP: workgroup.name,
      FRAUD_ATHENA_DATABASE: databaseName,
      FRAUD_ATHENA_TABLE: tableName,
      FRAUD_TABLE_ANALYTICS: tables.analytics.tableName,
      FRAUD_TABLE_AUDIT: tables.audit.tableName,
      POWERTOOLS_SERVICE_NAME: "reports",
    },
  });
  grantReports(reportRunner);
  // Saved reports are read, never written, here.
  grantTable(tables.analytics, reportRunner, key, ["GetItem", "Query"]);
  return reportRunner;
}
