import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as iam from "aws-cdk-lib/aws-iam";
import * as firehose from "aws-cdk-lib/aws-kinesisfirehose";
import * as logs from "aws-cdk-lib/aws-logs";
import { Function, type Bucket, type StackContext, type Table } from "sst/constructs";
import type { Core } from "./Core";
import { grantTable, KMS_ENCRYPT } from "./grants";
import { LAKE_PREFIX, type LakeCatalog } from "./Lake";
import type { Pipeline } from "./Pipeline";

// How the decision stream becomes the lake: Firehose, the lake writer, their role and alarms.

type Stack = StackContext["stack"];
type CoreOutputs = ReturnType<typeof Core>;
type PipelineOutputs = ReturnType<typeof Pipeline>;

/**
 * Firehose from the decision stream to Parquet in the bucket, with the function that names each
 * row's day and keeps one row per transaction (its claims in the idempotency table), and the
 * alarms that say when the lake falls behind.
 */
export function lakeDelivery(
  stack: Stack,
  {
    key,
    stream,
    bucket,
    catalog,
    claims,
    notify,
  }: { key: CoreOutputs["key"]; stream: PipelineOutputs["stream"]; bucket: Bucket; catalog: LakeCatalog; claims: Table; notify: PipelineOutputs["notify"] },
): firehose.CfnDeliveryStream {
  const bucketArn = bucket.bucketArn;
  const { databaseName, tableName, table } = catalog;

  // Turns each scored event into its lake row and names its day partition (core's toLakeRecord);
  // a decision the stream carries twice gets one row (its claim, a conditional put).
  const lakeWriter = new Function(stack, "LakeWriter", {
    handler: "packages/lambda/src/lake-writer.handler",
    architecture: "arm_64",
    memorySize: 256,
    timeout: 60,
    logRetention: "one_month",
    environment: { IDEMPOTENCY_TABLE: claims.tableName, POWERTOOLS_SERVICE_NAME: "lake-writer" },
  });
  grantTable(claims, lakeWriter, key, ["PutItem"]);

  const deliveryLogs = new logs.LogGroup(stack, "DeliveryLogs", { retention: logs.RetentionDays.ONE_MONTH });
  const deliveryLogStream = new logs.LogStream(stack, "DeliveryLogStream", { logGroup: deliveryLogs });

  const deliveryRole = lakeDeliveryRole(stack, { key, stream, bucketArn, catalog, lakeWriter, deliveryLogs });

  const delivery = new firehose.CfnDeliveryStream(stack, "LakeDelivery", {
    deliveryStreamType: "KinesisStreamAsSource",
    kinesisStreamSourceConfiguration: { kinesisStreamArn: stream.streamArn, roleArn: deliveryRole.roleArn },
    extendedS3DestinationConfiguration: {
      bucketArn,
      roleArn: deliveryRole.roleArn,
      prefix: `${LAKE_PREFIX.raw}dt=!{partitionKeyFromLambda:dt}/`,
      errorOutputPrefix: `${LAKE_PREFIX.error}!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`,
      // Format conversion with dynamic partitioning needs at least 64 MB buffers.
      bufferingHints: { sizeInMBs: 64, intervalInSeconds: 300 },
      compressionFormat: "UNCOMPRESSED",
      encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: key.keyArn } },
      cloudWatchLoggingOptions: { enabled: true, logGroupName: deliveryLogs.logGroupName, logStreamName: deliveryLogStream.logStreamName },
      processingConfiguration: {
        enabled: true,
        processors: [
          {
            type: "Lambda",
            parameters: [
              { parameterName: "LambdaArn", parameterValue: lakeWriter.functionArn },
              { parameterName: "BufferSizeInMBs", parameterValue: "1" },
              { parameterName: "BufferIntervalInSeconds", parameterValue: "60" },
            ],
          },
        ],
      },
      dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 300 } },
      dataFormatConversionConfiguration: {
        enabled: true,
        // The lake writer sends timestamps as epoch milliseconds.
        inputFormatConfiguration: { deserializer: { hiveJsonSerDe: { timestampFormats: ["millis"] } } },
        outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
        schemaConfiguration: {
          catalogId: stack.account,
          databaseName,
          tableName,
          region: stack.region,
          roleArn: deliveryRole.roleArn,
          versionId: "LATEST",
        },
      },
    },
  });
  delivery.node.addDependency(deliveryRole);
  delivery.addDependency(table);

  const alarm = (id: string, props: cloudwatch.AlarmProps) =>
    new cloudwatch.Alarm(stack, id, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...props }).addAlarmAction(notify);
  alarm("LakeWriterErrors", {
    alarmDescription: "The lake writer fails: Firehose retries its batches, then writes them under error/",
    metric: lakeWriter.metricErrors({ period: Duration.minutes(5) }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  alarm("LakeFreshness", {
    alarmDescription: "The oldest decision not yet in the lake is more than 15 minutes old",
    metric: new cloudwatch.Metric({
      namespace: "AWS/Firehose",
      metricName: "DeliveryToS3.DataFreshness",
      dimensionsMap: { DeliveryStreamName: delivery.ref },
      statistic: "Maximum",
      period: Duration.minutes(5),
    }),
    threshold: 900,
    evaluationPeriods: 3,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  return delivery;
}

/** Firehose's role: read the stream, convert with the Glue schema, call the lake writer, write raw and error files. */
function lakeDeliveryRole(
  stack: Stack,
  {
    key,
    stream,
    bucketArn,
    catalog,
    lakeWriter,
    deliveryLogs,
  }: {
    key: CoreOutputs["key"];
    stream: PipelineOutputs["stream"];
    bucketArn: string;
    catalog: LakeCatalog;
    lakeWriter: Function;
    deliveryLogs: logs.LogGroup;
  },
): iam.Role {
  const { catalog: catalogArn, database: databaseArn, table: tableArn } = catalog.arns;
  const deliveryRole = new iam.Role(stack, "DeliveryRole", {
    assumedBy: new iam.ServicePrincipal("firehose.amazonaws.com", {
      conditions: { StringEquals: { "sts:ExternalId": stack.account } },
    }),
    description: "Firehose: read the decision stream, convert with the Glue schema, write the lake",
  });
  deliveryRole.addToPolicy(
    new iam.PolicyStatement({
      actions: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"],
      resources: [stream.streamArn],
    }),
  );
  deliveryRole.addToPolicy(
    new iam.PolicyStatement({
      actions: ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"],
      resources: [bucketArn, `${bucketArn}/${LAKE_PREFIX.raw}*`, `${bucketArn}/${LAKE_PREFIX.error}*`],
    }),
  );
  deliveryRole.addToPolicy(
    new iam.PolicyStatement({ actions: ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"], resources: [catalogArn, databaseArn, tableArn] }),
  );
  deliveryRole.addToPolicy(
    new iam.PolicyStatement({ actions: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"], resources: [lakeWriter.functionArn] }),
  );
  deliveryRole.addToPolicy(new iam.PolicyStatement({ actions: ["logs:PutLogEvents"], resources: [deliveryLogs.logGroupArn] }));
  key.grant(deliveryRole, ...KMS_ENCRYPT);
  return deliveryRole;
}
