import { Api as HttpApi, Config, Function, use, type StackContext } from "sst/constructs";
import { Core } from "./Core";
import { grantTable, KMS_ENCRYPT } from "./grants";
import { METRICS_NAMESPACE, Pipeline } from "./Pipeline";
import { Lake } from "./Lake";

/**
 * The ingest API: API Gateway HTTP API in front of the same Hono app the local server runs. It
 * scores synchronously (profile read, rules, one transaction that stores the decision and updates
 * the profile on its version) and answers like the local API; the decisions table's change stream
 * takes the decision to the consumers (stacks/Pipeline.ts).
 */
export function Api({ stack }: StackContext) {
  const { key, tables, tableEnvironment, params } = use(Core);
  const { notify } = use(Pipeline);
  const { lakeEnvironment } = use(Lake);

  // Plaintext of the first API key; stored hashed in the users table on the first cold start.
  const bootstrapApiKey = new Config.Secret(stack, "FRAUD_API_KEY");

  // With an identity provider (FRAUD_JWT_ISSUER/AUDIENCE), API Gateway verifies a JWT on every
  // route and the function reads its scopes; without one, the function checks API keys.
  const jwt = params.FRAUD_JWT_ISSUER && params.FRAUD_JWT_AUDIENCE ? { issuer: params.FRAUD_JWT_ISSUER, audience: params.FRAUD_JWT_AUDIENCE } : undefined;

  const ingest = new Function(stack, "Ingest", {
    handler: "packages/lambda/src/ingest.handler",
    architecture: "arm_64",
    memorySize: 1024,
    timeout: 10,
    tracing: "active",
    logRetention: "one_month",
    bind: [bootstrapApiKey],
    environment: {
      ...tableEnvironment,
      ...lakeEnvironment,
      ...(jwt ? { FRAUD_JWT_ISSUER: jwt.issuer, FRAUD_JWT_AUDIENCE: jwt.audience.join(",") } : {}),
      POWERTOOLS_SERVICE_NAME: "ingest",
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    },
  });
  // Exactly what the ingest path does: read the decision id, the profile, the live ruleset, the
  // lists and the API key; write the decision and the profile in one transaction; store the
  // bootstrap key with its audit entry. Nothing on the stream: the outbox forwards decisions.
  grantTable(tables.decisions, ingest, key, ["GetItem", "PutItem"]);
  grantTable(tables.profiles, ingest, key, ["GetItem", "UpdateItem"]);
  grantTable(tables.rulesets, ingest, key, ["GetItem"]);
  grantTable(tables.lists, ingest, key, ["Query"]);
  grantTable(tables.users, ingest, key, ["GetItem", "PutItem"]);
  grantTable(tables.audit, ingest, key, ["PutItem"]);
  key.grant(ingest, ...KMS_ENCRYPT);

  const api = new HttpApi(stack, "IngestApi", {
    ...(jwt ? { authorizers: { jwt: { type: "jwt" as const, jwt } } } : {}),
    defaults: { throttle: { rate: params.FRAUD_API_RATE, burst: params.FRAUD_API_BURST }, ...(jwt ? { authorizer: "jwt" as const } : {}) },
    accessLog: { retention: "one_month" },
    routes: { $default: ingest },
  });

  ingest
    .metricErrors()
    .createAlarm(stack, "IngestErrors", {
      alarmDescription: "The ingest function fails (the API answers 5xx)",
      threshold: 0,
      evaluationPeriods: 1,
    })
    .addAlarmAction(notify);

  stack.addOutputs({ ApiUrl: api.url });
  return { api, ingest, bootstrapApiKey };
}
