import { Platform } from "@fraud/core";
import { openLocalRuntime, printSecretsOnce, printStartWarnings, secretsFile, WAL_RESTART_PAGES } from "@fraud/core/local";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createApi } from "@fraud/api";
import { nodeListener } from "@fraud/api/node";
import { maskConsole } from "@fraud/core/logs";
import { webDir, type DashboardMessage, type Handler } from "./dashboard.ts";
import { edgeServer, edgeSettings } from "./edge.ts";
import { forwardTo } from "./proxy.ts";
import { ScoringThread } from "./scoring-thread.ts";

const dashboardEntry = fileURLToPath(new URL("./dashboard.ts", import.meta.url));
/** How long the server waits for the dashboard before it starts answering on its port anyway. */
const DASHBOARD_START_MS = 120_000;
/** How soon changes made by other processes (the dashboard, the CLI) reach scoring and the API keys (ms). */
const CHANGES_CHECK_MS = 10;

/** `/api` and `/api/...` go to the Hono API; everything else to the Next dashboard. */
export function isApiPath(url: string): boolean {
  return url === "/api" || url.startsWith("/api/") || url.startsWith("/api?");
}

/**
 * The dashboard process (dashboard.ts), started beside this one and restarted if it stops: the
 * port it listens on once ready, undefined while it starts.
 */
class DashboardProcess {
  port: number | undefined;
  private child: ChildProcess | undefined;
  private stopping = false;
  private restarts = 0;
  private readyWaiters: Array<() => void> = [];

  start(): void {
    const child = spawn(process.execPath, ["--import", "tsx", dashboardEntry], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.child = child;
    child.on("message", (m: DashboardMessage) => {
      if (!m?.ready) return;
      this.port = m.ready.port;
      this.restarts = 0;
      for (const w of this.readyWaiters.splice(0)) w();
    });
    child.once("exit", (code, signal) => {
      this.port = undefined;
      if (this.stopping) return;
      this.restarts += 1;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(this.restarts, 6));
      console.error(`[server] dashboard process exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
      setTimeout(() => this.start(), delay).unref();
    });
  }

  /** Resolves when the dashboard answers, or after timeoutMs (it keeps starting; pages answer 503 meanwhile). */
  ready(timeoutMs: number): Promise<boolean> {
    if (this.port !== undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((done) => {
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
  }
}

export async function startServer(): Promise<{ close(): Promise<void>; port: number }> {
  // Rulesets, lists and API keys changed from the dashboard or the CLI (other processes) apply
  // within CHANGES_CHECK_MS: a read per store that often, not four per request.
  const rt = await openLocalRuntime(Platform.env(), { walAutocheckpointPages: WAL_RESTART_PAGES, changesCheckMs: CHANGES_CHECK_MS });
  const { PORT: port, HOST: hostname } = rt.env;
  // The dashboard's process starts once the database is migrated and the API key registered, so
  // that the two never race to do it on a fresh data directory.
  const dashboard = rt.env.FRAUD_DASHBOARD === "on" && existsSync(join(webDir, ".next", "BUILD_ID")) ? new DashboardProcess() : undefined;
  dashboard?.start();
  printSecretsOnce(rt, secretsFile(rt.platform.dataDir));
  printStartWarnings(rt);
  const thread =
    rt.env.FRAUD_SCORING_THREAD === "off"
      ? undefined
      : new ScoringThread(
          // The server's own platform options: the same data, settings, sync and checkpoint threshold.
          rt.platformOptions,
          (error) => {
            console.error(`[server] ${error.message}: stopping`);
            process.exit(1);
          },
        );
  await thread?.ready();
  const api = createApi({
    scoring: thread ?? rt.platform.scoring,
    decisions: rt.platform.decisions,
    apiKeys: rt.platform.apiKeys,
    bodyLimitBytes: rt.env.FRAUD_BODY_LIMIT_BYTES,
    rateLimitPerS: rt.env.FRAUD_RATE_LIMIT_PER_S,
    healthy: async () => rt.platform.healthy(),
    reports: rt.platform.reports,
  });
  const handleApi = nodeListener(api);
  const edge = edgeSettings(rt.env);
  let handleWeb: Handler;
  if (dashboard) {
    if (!(await dashboard.ready(DASHBOARD_START_MS)))
      console.error(`[server] the dashboard is not ready after ${DASHBOARD_START_MS / 1000} s; its pages answer 503 until it is`);
    handleWeb = forwardTo({ port: () => dashboard.port, unavailable: "The dashboard is starting or restarting; retry in a moment.\n", edge });
  } else {
    const off = rt.env.FRAUD_DASHBOARD === "off";
    const message = off ? "This node serves the API only (FRAUD_DASHBOARD=off).\n" : "The dashboard is not built yet: run `npm run setup`.\n";
    handleWeb = (_req, res) => void res.writeHead(off ? 404 : 503, { "content-type": "text/plain; charset=utf-8" }).end(message);
  }
  const server = edgeServer(edge, (req, res) => void (isApiPath(req.url ?? "/") ? handleApi(req, res) : handleWeb(req, res)));
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, hostname, () => ok());
  });
  console.log(
    `[server] fraud decision API and dashboard on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port} (pid ${process.pid}; transactions scored ${thread ? "in a thread of their own" : "on the event loop"})`,
  );
  return {
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.close(async () => {
          await thread?.close();
          rt.platform.close();
          void (dashboard?.stop() ?? Promise.resolve()).then(ok);
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
