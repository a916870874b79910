/** The route of a request outside the API's routes: every dashboard page and asset. */
export const DASHBOARD_ROUTE = "dashboard";
/** An /api path that no route matches (answered 404). */
export const UNMATCHED_ROUTE = "unmatched";
/** Prometheus' scrape route, served by the server itself. */
export const METRICS_ROUTE = "/metrics";

/**
 * The route pattern of a request (`/api/transactions/:id`, never the raw path with its id), for
 * log lines and metric labels: a fixed, small set, whatever clients send. The patterns are the
 * API's own (Hono's route list), so a route added to the API is named here without a second list.
 */
export class RouteTable {
  readonly names: string[];
  private readonly patterns: Array<{ method: string; path: string; index: number; match: RegExp }>;
  private readonly dashboard: number;
  private readonly unmatched: number;
  private readonly metrics: number;
  private readonly ingest: number;

  constructor(apiRoutes: ReadonlyArray<{ method: string; path: string }>, isApiPath: (url: string) => boolean) {
    this.isApiPath = isApiPath;
    const names = [DASHBOARD_ROUTE, UNMATCHED_ROUTE, METRICS_ROUTE];
    this.patterns = [];
    for (const r of apiRoutes) {
      if (r.method === "ALL") continue;
      let index = names.indexOf(r.path);
      if (index < 0) index = names.push(r.path) - 1;
      if (this.patterns.some((p) => p.method === r.method && p.path === r.path)) continue;
      this.patterns.push({ method: r.method, path: r.path, index, match: patternRegExp(r.path) });
    }
    this.names = names;
    this.dashboard = 0;
    this.unmatched = 1;
    this.metrics = 2;
    this.ingest = this.patterns.find((p) => p.method === "POST" && p.path === "/api/transactions")?.index ?? this.unmatched;
  }

  private readonly isApiPath: (url: string) => boolean;

  /** The index in `names` of the request's route. */
  of(method: string | undefined, url: string | undefined): number {
    const target = url ?? "/";
    // The decision route first, without a regular expression: it is most of the traffic.
    if (method === "POST" && target === "/api/transactions") return this.ingest;
    if (target === METRICS_ROUTE || target.startsWith(`${METRICS_ROUTE}?`)) return this.metrics;
    if (!this.isApiPath(target)) return this.dashboard;
    const q = target.indexOf("?");
    const path = q < 0 ? target : target.slice(0, q);
    const m = method === "HEAD" ? "GET" : method;
    for (const p of this.patterns) if (p.method === m && p.match.test(path)) return p.index;
    return this.unmatched;
  }
}

function patternRegExp(path: string): RegExp {
  const parts = path.split("/").map((part) => (part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  return new RegExp(`^${parts.join("/")}/?$`);
}
