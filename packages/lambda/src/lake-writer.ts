import { Logger } from "@aws-lambda-powertools/logger";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { createAwsClients, LakeRowClaims } from "@fraud/core/aws";
import { maskLogValue } from "@fraud/core/logs";
import { lakeWriterEnv } from "./env.ts";
import { createLakeWriter } from "./lake-rows.ts";

// Firehose's transformation step on Lambda (see lake-rows.ts).

const logger = new Logger({ jsonReplacerFn: maskLogValue });
const tracer = new Tracer();
const env = lakeWriterEnv();
const { dynamo } = createAwsClients();
tracer.captureAWSv3Client(dynamo);

export const handler = createLakeWriter({ claims: new LakeRowClaims(dynamo, env.claimsTable), logger });
