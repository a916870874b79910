import { secretsFile } from "@fraud/core/local";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createApi } from "../api/app.ts";
import { nodeListener } from "../api/node.ts";
import { maskConsole } from "../log-masking.ts";
import { openRuntime, printSecretsOnce, type LocalRuntime } from "./runtime.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const webDir = resolve(fileURLToPath(new URL("../../../web", import.meta.url)));

/** `/api` and `/api/...` go to the Hono API; everything else to the Next dashboard. */
export function isApiPath(url: string): boolean {
  return url === "/api" || url.startsWith("/api/") || url.startsWith("/api?");
}

async function loadDashboard(rt: LocalRuntime, hostname: string, port: number): Promise<Handler | undefined> {
  if (rt.env.FRAUD_DASHBOARD === "off" || !existsSync(join(webDir, ".next", "BUILD_ID"))) return undefined;
  const require = createRequire(join(webDir, "package.json"));
  const next = require("next") as (opts: Record<string, unknown>) => { prepare(): Promise<void>; getRequestHandler(): Handler };
  // The dashboard's server code uses this process's platform instead of opening a second one.
  (globalThis as { __fraudRuntime?: LocalRuntime }).__fraudRuntime = rt;
  const app = next({ dev: false, dir: webDir, hostname, port });
  await app.prepare();
  return app.getRequestHandler();
}

export async function startServer(): Promise<{ close(): Promise<void>; port: number }> {
  // Checkpoints are the worker's job (see worker.ts); past 200 MB of WAL (no worker running) the server does it.
  const rt = await openRuntime({ walAutocheckpointPages: 50_000 });
  const { PORT: port, HOST: hostname } = rt.env;
  printSecretsOnce(rt, secretsFile(rt.platform.dataDir));
  const api = createApi({
    scoring: rt.platform.scoring,
    decisions: rt.platform.decisions,
    apiKeys: rt.platform.apiKeys,
    bodyLimitBytes: rt.env.FRAUD_BODY_LIMIT_BYTES,
    rateLimitPerS: rt.env.FRAUD_RATE_LIMIT_PER_S,
    healthy: async () => rt.platform.healthy(),
    reports: rt.platform.reports,
  });
  const handleApi = nodeListener(api);
  const handleWeb: Handler =
    (await loadDashboard(rt, hostname, port)) ??
    ((_req, res) => {
      const message = rt.env.FRAUD_DASHBOARD === "off" ? "This node serves the API only (FRAUD_DASHBOARD=off).\n" : "The dashboard is not built yet: run `npm run setup`.\n";
      res.writeHead(rt.env.FRAUD_DASHBOARD === "off" ? 404 : 503, { "content-type": "text/plain; charset=utf-8" }).end(message);
    });
  const server = createServer((req, res) => void (isApiPath(req.url ?? "/") ? handleApi(req, res) : handleWeb(req, res)));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, hostname, () => ok());
  });
  console.log(`[server] fraud decision API and dashboard on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port} (pid ${process.pid})`);
  return {
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => {
          rt.platform.close();
          ok();
        });
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  maskConsole();
  const s = await startServer();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.log(`[server] ${signal}: closing`);
      void s.close().then(() => process.exit(0));
    });
  }
}
