import { spawn } from "node:child_process";
import { Demo, Platform, Settings } from "@fraud/core";
import { openAwsPlatform } from "@fraud/core/aws";
import { startEmulators } from "../../packages/core/test/contract/emulators.ts";

const KEY = "fk_bundle-smoke-key-0123456789abcdef";

/**
 * Loads a built ingest bundle in a fresh Node process, configured like the Lambda (environment
 * from the stack, the secret as SST binds it) but pointed at local emulators, and sends it one
 * HTTP API event. Returns its answer and the transaction ids the decisions table's change stream
 * (the outbox) then holds.
 */
export async function bundleSmoke(bundle: string): Promise<{ response: { statusCode: number; body: string }; events: string[] }> {
  const emulators = await startEmulators();
  try {
    const tables = await emulators.createTables();
    const platform = openAwsPlatform({ tables, settings: Settings.defaultSettings, clients: emulators.clients });
    await Demo.seedDemo(platform, new Date());
    const env = {
      ...baseEnv(),
      AWS_ENDPOINT_URL_DYNAMODB: emulators.endpoints.dynamodb,
      SST_APP: "fraud",
      SST_STAGE: "test",
      SST_Secret_value_FRAUD_API_KEY: KEY,
      ...Platform.awsTableEnvironment(tables),
    };
    const event = {
      version: "2.0",
      routeKey: "$default",
      rawPath: "/api/transactions",
      rawQueryString: "",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      requestContext: {
        http: { method: "POST", path: "/api/transactions", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "smoke" },
        requestId: "r",
        routeKey: "$default",
        stage: "$default",
        accountId: "1",
        apiId: "a",
        domainName: "d",
        domainPrefix: "d",
        time: "",
        timeEpoch: Date.now(),
      },
      body: JSON.stringify({
        transaction_id: "bundle-1",
        user_id: "user_001",
        amount: 120,
        merchant_id: "MERCH_AMAZON",
        device_id: "device_abc123",
        location: "New York, US",
      }),
      isBase64Encoded: false,
    };
    const out = await runBundle(bundle, env, event);
    const events = emulators.outbox(tables.decisions).map((d) => d.transaction_id);
    return { response: out as { statusCode: number; body: string }, events };
  } finally {
    await emulators.stop();
  }
}

/**
 * Loads the built outbox forwarder in a fresh Node process, configured like the Lambda but pointed
 * at the Kinesis emulator, and gives it the change-stream records of one recorded decision. Returns
 * its answer and the transaction ids it put on the stream.
 */
export async function outboxBundleSmoke(
  bundle: string,
): Promise<{ response: unknown; onStream: Array<{ transactionId: string; partitionKey: string }>; recorded: { transactionId: string; userId: string } }> {
  const emulators = await startEmulators();
  try {
    const tables = await emulators.createTables();
    const stream = await emulators.createStream();
    const platform = openAwsPlatform({ tables, settings: Settings.defaultSettings, clients: emulators.clients });
    await Demo.seedDemo(platform, new Date());
    const r = await platform.scoring.submit({ transaction_id: "bundle-2", user_id: "user_002", amount: 80, merchant_id: "MERCH_AMAZON" });
    if (r.status !== "recorded") throw new Error(`bundle-2 was ${r.status}`);
    const env = {
      ...baseEnv(),
      AWS_ENDPOINT_URL_KINESIS: emulators.endpoints.kinesis,
      POWERTOOLS_SERVICE_NAME: "outbox",
      FRAUD_STREAM_NAME: stream,
    };
    const response = await runBundle(bundle, env, { Records: emulators.tableChanges(tables.decisions) });
    const onStream = (await emulators.readStream(stream)).map((e) => ({ transactionId: e.decision.transaction_id, partitionKey: e.partitionKey }));
    return { response, onStream, recorded: { transactionId: r.decision.transaction_id, userId: r.decision.user_id } };
  } finally {
    await emulators.stop();
  }
}

/** What every bundle's process gets: dummy credentials, the region, quiet Powertools. */
function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    AWS_REGION: "eu-west-3",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_EC2_METADATA_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "ERROR",
    POWERTOOLS_TRACE_ENABLED: "false",
    POWERTOOLS_METRICS_NAMESPACE: "FraudDecisions",
  };
}

/** Imports the bundle in a child process with exactly `env`, calls its handler with `event` and returns what it answered. */
async function runBundle(bundle: string, env: Record<string, string>, event: unknown): Promise<unknown> {
  const script = `const { handler } = await import(${JSON.stringify(bundle)});
const res = await handler(${JSON.stringify(event)}, { functionName: "smoke", awsRequestId: "1", getRemainingTimeInMillis: () => 10000 });
process.stdout.write("\\n@@RESULT@@" + JSON.stringify(res));`;
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0 && stdout.includes("@@RESULT@@")) resolve(stdout.split("@@RESULT@@")[1]!);
      else reject(new Error(`bundle exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
  return JSON.parse(out);
}
