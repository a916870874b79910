import { Platform } from "@fraud/core";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, routeConsole } from "@fraud/core/logger";
import { STRICT_HTTP } from "./edge.ts";
import { DASHBOARD_NICE, lowerPriority } from "./priority.ts";

/** A Node HTTP request handler (Next's, the proxy's, the server's fallback). */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export const webDir = resolve(fileURLToPath(new URL("../../web", import.meta.url)));

/** What the dashboard process tells the server that started it. */
export type DashboardMessage = { ready: { port: number } };

/**
 * The Next.js dashboard in its own process, on a loopback port the system picks: the server that
 * owns the public port (server.ts) starts it and forwards every non-API request to it, so the
 * dashboard's memory and garbage collection never pause a decision. It opens its own connection
 * to the same database; what it changes reaches the API through the database, within 10 ms (see
 * the README, on how soon a change reaches the API). That connection is the dashboard's own
 * (packages/web/src/server/runtime.ts), opened from the environment as every process opens it.
 */
async function main(): Promise<void> {
  const e = Platform.env();
  // Next writes its server errors through console: each becomes one redacted JSON event.
  routeConsole(createLogger({ service: "dashboard", level: e.FRAUD_LOG_LEVEL }));
  lowerPriority(DASHBOARD_NICE);
  const require = createRequire(join(webDir, "package.json"));
  const next = require("next") as (opts: Record<string, unknown>) => { prepare(): Promise<void>; getRequestHandler(): Handler };
  // Next is told the public address: the server forwards the browser's Host header unchanged.
  const app = next({ dev: false, dir: webDir, hostname: e.HOST, port: e.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer(STRICT_HTTP, (req, res) => void handle(req, res));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => ok());
  });
  const { port } = server.address() as { port: number };
  const close = () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.once("SIGTERM", close);
  if (process.send) {
    // Started by the server: leave with it, even when it was killed without a chance to say so,
    // and let it decide when to stop (Ctrl-C in a terminal reaches both; the server then stops this).
    process.once("disconnect", close);
    process.on("SIGINT", () => undefined);
  } else process.once("SIGINT", close);
  process.send?.({ ready: { port } } satisfies DashboardMessage);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
