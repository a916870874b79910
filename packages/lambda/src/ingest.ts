import { Logger } from "@aws-lambda-powertools/logger";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { createAwsClients, openAwsPlatform } from "@fraud/core/aws";
import { Config } from "sst/node/config";
import { z } from "zod";
import { ingestEnv } from "./env.ts";
import { createIngestHandler, registerBootstrapKey } from "./ingest-app.ts";
import { GatewayJwtCallers } from "./jwt.ts";
import { maskLogValue } from "@fraud/core/logs";

// The ingest API on Lambda. Everything here runs once per container; the compiled ruleset is
// trusted for a few seconds between requests.

const logger = new Logger({ jsonReplacerFn: maskLogValue });
const tracer = new Tracer();
const env = ingestEnv();
const clients = createAwsClients();
for (const client of Object.values(clients)) tracer.captureAWSv3Client(client);

const platform = openAwsPlatform({
  tables: env.tables,
  settings: env.settings,
  clients,
  // The decision's event reaches the consumers from the decisions table's change stream (outbox.ts).
  decisionLog: { ttlDays: env.ttlDays },
});

// The first API key of a deployment is the SST secret FRAUD_API_KEY (`npx sst secrets set`).
const bootstrapKey = z.string().min(16).optional().parse(Reflect.get(Config, "FRAUD_API_KEY"));
await registerBootstrapKey(platform, bootstrapKey);

export const handler = createIngestHandler(platform, {
  bodyLimitBytes: env.bodyLimitBytes,
  logger,
  // A stage with a JWT authorizer (FRAUD_JWT_ISSUER): API Gateway verified the token on every route.
  ...(env.jwt ? { callers: new GatewayJwtCallers(env.jwt) } : {}),
});
