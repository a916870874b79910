import { DecisionCounters, Platform } from "@fraud/core";
import { OperationsStore, openLocalRuntime, printSecretsOnce, printStartWarnings, secretsFile, WAL_RESTART_PAGES } from "@fraud/core/local";
import { createLogger, requestLogger, routeConsole, type Logger } from "@fraud/core/logger";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createApi } from "@fraud/api";
import { nodeListener } from "@fraud/api/node";
import { webDir, type DashboardMessage, type Handler } from "./dashboard.ts";
import { edgeServer, edgeSettings } from "./edge.ts";
import { forwardTo } from "./proxy.ts";
import { ScoringThread } from "./scoring-thread.ts";
import { HttpMetrics } from "./telemetry/http-metrics.ts";
import { apiLogger } from "./telemetry/log.ts";
import { createMetricsRegistry } from "./telemetry/metrics.ts";
import { localReadiness } from "./telemetry/readiness.ts";
import { observeRequests } from "./telemetry/requests.ts";
import { METRICS_ROUTE, RouteTable } from "./telemetry/routes.ts";
import { loadTracing } from "./telemetry/tracing.ts";

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
  constructor(private readonly log: Logger) {}

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
      this.log.error({ exit: signal ?? code, restart_in_ms: delay }, "dashboard process exited; restarting it");
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

export async function startServer(
  log: Logger = createLogger({ service: "server", level: Platform.env().FRAUD_LOG_LEVEL }),
): Promise<{ close(): Promise<void>; port: number }> {
  // Rulesets, lists and API keys changed from the dashboard or the CLI (other processes) apply
  // within CHANGES_CHECK_MS: a read per store that often, not four per request.
  const rt = await openLocalRuntime(Platform.env(), { walAutocheckpointPages: WAL_RESTART_PAGES, changesCheckMs: CHANGES_CHECK_MS });
  const { PORT: port, HOST: hostname } = rt.env;
  const tracingSettings = { endpoint: rt.env.OTEL_EXPORTER_OTLP_ENDPOINT, ratio: rt.env.OTEL_TRACES_SAMPLER_ARG, service: "fraud-server" };
  const tracing = await loadTracing(tracingSettings);
  // The dashboard's process starts once the database is migrated and the API key registered, so
  // that the two never race to do it on a fresh data directory.
  const dashboard = rt.env.FRAUD_DASHBOARD === "on" && existsSync(join(webDir, ".next", "BUILD_ID")) ? new DashboardProcess(log) : undefined;
  dashboard?.start();
  printSecretsOnce(rt, secretsFile(rt.platform.dataDir), (m) => log.warn(m));
  printStartWarnings(rt, (m) => log.warn(m));
  const counters = new DecisionCounters();
  const thread =
    rt.env.FRAUD_SCORING_THREAD === "off"
      ? undefined
      : new ScoringThread(
          // The server's own platform options: the same data, settings, sync and checkpoint threshold.
          rt.platformOptions,
          (error) => {
            log.fatal({ error }, "the scoring thread stopped: stopping the server");
            log.flush();
            process.exit(1);
          },
          { logLevel: rt.env.FRAUD_LOG_LEVEL, counters: counters.buffer, tracing: tracingSettings },
        );
  await thread?.ready();
  const operations = new OperationsStore(rt.platform.db);
  const http = new HttpMetrics();
  const api = createApi({
    scoring: thread ?? rt.platform.scoring,
    decisions: rt.platform.decisions,
    apiKeys: rt.platform.apiKeys,
    bodyLimitBytes: rt.env.FRAUD_BODY_LIMIT_BYTES,
    rateLimitPerS: rt.env.FRAUD_RATE_LIMIT_PER_S,
    healthy: async () => rt.platform.healthy(),
    readiness: localReadiness(rt.platform, operations, rt.env.FRAUD_READY_MAX_OUTBOX_AGE_S),
    metrics: async () => ({ contentType: registry.contentType, text: await registry.metrics() }),
    reports: rt.platform.reports,
    logger: apiLogger(log),
    counters,
    traceDecision: tracing ? (parent, run) => tracing.decision(parent, run) : undefined,
  });
  const routes = new RouteTable(api.routes, isApiPath);
  const registry = createMetricsRegistry({ http, routes: routes.names, decisions: counters, operations });
  const handleApi = nodeListener(api);
  const edge = edgeSettings(rt.env);
  let handleWeb: Handler;
  if (dashboard) {
    if (!(await dashboard.ready(DASHBOARD_START_MS)))
      log.error(`the dashboard is not ready after ${DASHBOARD_START_MS / 1000} s; its pages answer 503 until it is`);
    handleWeb = forwardTo({ port: () => dashboard.port, unavailable: "The dashboard is starting or restarting; retry in a moment.\n", edge });
  } else {
    const off = rt.env.FRAUD_DASHBOARD === "off";
    const message = off ? "This node serves the API only (FRAUD_DASHBOARD=off).\n" : "The dashboard is not built yet: run `npm run setup`.\n";
    handleWeb = (_req, res) => void res.writeHead(off ? 404 : 503, { "content-type": "text/plain; charset=utf-8" }).end(message);
  }
  const server = edgeServer(
    edge,
    observeRequests({ log: requestLogger(log), http, routes, tracing }, (req, res) => {
      const url = req.url ?? "/";
      // GET /metrics, where Prometheus looks by default, is the API's /api/metrics (same key check).
      if (url === METRICS_ROUTE || url.startsWith(`${METRICS_ROUTE}?`)) req.url = `/api${url}`;
      void (isApiPath(req.url ?? "/") ? handleApi(req, res) : handleWeb(req, res));
    }),
  );
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, hostname, () => ok());
  });
  log.info(
    { url: `http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`, scoring: thread ? "thread" : "event loop", tracing: tracing ? "on" : "off" },
    "fraud decision API and dashboard listening",
  );
  return {
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.close(async () => {
          await thread?.close();
          await tracing?.shutdown();
          rt.platform.close();
          void (dashboard?.stop() ?? Promise.resolve()).then(ok);
        });
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = createLogger({ service: "server", level: Platform.env().FRAUD_LOG_LEVEL });
  routeConsole(log);
  const s = await startServer(log);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log.info({ signal }, "closing");
      void s.close().then(() => process.exit(0));
    });
  }
}
