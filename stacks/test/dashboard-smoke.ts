import { spawn } from "node:child_process";
import path from "node:path";
import { Platform, Settings, type User } from "@fraud/core";
import { openAwsPlatform } from "@fraud/core/aws";
import { startEmulators } from "../../packages/core/test/contract/emulators.ts";

const ADMIN_PASSWORD = "stage-secret-admin-password";

export interface LambdaAnswer {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: string;
  isBase64Encoded?: boolean;
}

/** A CloudFront-forwarded GET as the function URL hands it to the server function (payload 2.0). */
function functionUrlEvent(rawPath: string, cookies: string[]) {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString: "",
    cookies,
    headers: { host: "dashboard.example.com", "x-forwarded-proto": "https", accept: "text/html", "accept-language": "fr" },
    requestContext: {
      http: { method: "GET", path: rawPath, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "smoke" },
      requestId: "r",
      routeKey: "$default",
      stage: "$default",
      accountId: "1",
      apiId: "a",
      domainName: "dashboard.example.com",
      domainPrefix: "dashboard",
      time: "",
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

/**
 * Loads the dashboard's server function (OpenNext's handler, from its bundle as deployed) in a
 * fresh Node process, configured like the Lambda (the environment stacks/Web.ts sets, the secrets
 * as SST binds them, FRAUD_DEPLOYMENT=aws) but pointed at the DynamoDB, Kinesis and S3 emulators,
 * and sends it GET requests. Returns its answers and the admin account as the emulator holds it
 * afterwards, and whether it takes the stage's admin password.
 */
export async function dashboardSmoke(serverFunction: string, requests: Array<{ path: string; cookies?: string[] }>) {
  const emulators = await startEmulators();
  try {
    const tables = await emulators.createTables();
    const env = {
      PATH: process.env.PATH ?? "",
      AWS_REGION: "eu-west-3",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ENDPOINT_URL_DYNAMODB: emulators.endpoints.dynamodb,
      AWS_ENDPOINT_URL_KINESIS: emulators.endpoints.kinesis,
      AWS_ENDPOINT_URL_S3: emulators.endpoints.s3,
      SST_APP: "fraud",
      SST_STAGE: "test",
      SST_Secret_value_FRAUD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SST_Secret_value_FRAUD_SESSION_SECRET: "stage-secret-session-0123456789",
      FRAUD_DEPLOYMENT: "aws",
      ...Platform.awsTableEnvironment(tables),
      FRAUD_LAKE_BUCKET: emulators.s3Bucket,
      FRAUD_ATHENA_WORKGROUP: "test-fraud-analysts",
      FRAUD_ATHENA_DATABASE: "fraud_test",
      // Set by SST's NextjsSite for OpenNext's cache; unused by pages rendered on each request.
      CACHE_BUCKET_NAME: emulators.s3Bucket,
      CACHE_BUCKET_KEY_PREFIX: "_cache",
      CACHE_BUCKET_REGION: "eu-west-3",
    };
    const events = requests.map((r) => functionUrlEvent(r.path, r.cookies ?? []));
    const script = `const { handler } = await import(${JSON.stringify(path.join(serverFunction, "index.mjs"))});
const out = [];
for (const event of ${JSON.stringify(events)}) out.push(await handler(event, { functionName: "smoke", awsRequestId: "1", getRemainingTimeInMillis: () => 20000 }));
process.stdout.write("\\n@@RESULT@@" + JSON.stringify(out));
process.exit(0);`;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: serverFunction, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
      child.on("close", (code) => {
        clearTimeout(timer);
        if (code === 0 && stdout.includes("@@RESULT@@")) resolve(stdout.split("@@RESULT@@")[1]!);
        else reject(new Error(`server function exited ${code}: ${stderr.slice(-3000)}${stdout.slice(-2000)}`));
      });
    });
    const platform = openAwsPlatform({ tables, settings: Settings.defaultSettings, clients: emulators.clients });
    const admin: User.User | undefined = await platform.users.byUsername("admin");
    const adminSignsIn = (await platform.users.authenticate("admin", ADMIN_PASSWORD)) !== undefined;
    return { answers: JSON.parse(out) as LambdaAnswer[], admin, adminSignsIn };
  } finally {
    await emulators.stop();
  }
}
