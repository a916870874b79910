import type { Logger } from "@aws-lambda-powertools/logger";
import { User } from "@fraud/core";
import type { AwsPlatform } from "@fraud/core/aws";
import { handle } from "hono/aws-lambda";
import { createApi } from "@fraud/api";

/**
 * The ingest Lambda's handler: the local API's Hono app over the AWS adapters. Callers are the
 * deployment's API keys, or (`callers`) the verified JWTs of a stage with a JWT authorizer.
 */
export function createIngestHandler(
  platform: AwsPlatform,
  options: { bodyLimitBytes?: number; logger: Pick<Logger, "error" | "warn">; callers?: User.ApiKeyStore },
) {
  const app = createApi({
    scoring: platform.scoring,
    decisions: platform.decisions,
    apiKeys: options.callers ?? platform.apiKeys,
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    // Healthy when DynamoDB answers: the live-ruleset pointer is one consistent read.
    healthy: () =>
      platform.rules.liveVersion().then(
        () => true,
        () => false,
      ),
    logger: {
      error: (message, data) => options.logger.error(message, data ?? {}),
      warn: (message, data) => options.logger.warn(message, data ?? {}),
    },
  });
  return handle(app);
}

/** Stores the deployment's first API key (an SST secret) hashed, once; a racing cold start is fine. */
export async function registerBootstrapKey(platform: AwsPlatform, key: string | undefined): Promise<void> {
  if (!key || (await platform.apiKeys.has(key))) return;
  await platform.apiKeys.create("bootstrap (FRAUD_API_KEY secret)", [...User.API_KEY_SCOPES], { id: "deploy" }, key).catch((e: unknown) => {
    if ((e as { code?: string }).code !== "API_KEY_EXISTS") throw e;
  });
}
