/** Upper bounds of the HTTP duration histogram's buckets (seconds), from a decision's half millisecond to a report's seconds. */
export const HTTP_DURATION_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Methods named in labels; any other is OTHER, so a client cannot add series. */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "OTHER"] as const;

const SUM = HTTP_DURATION_BUCKETS_S.length + 1;

function methodIndex(method: string | undefined): number {
  switch (method) {
    case "GET":
      return 0;
    case "POST":
      return 1;
    case "PUT":
      return 2;
    case "PATCH":
      return 3;
    case "DELETE":
      return 4;
    case "HEAD":
      return 5;
    case "OPTIONS":
      return 6;
    default:
      return 7;
  }
}

/**
 * Requests by route, method and status, and their durations, counted on the server's HTTP thread.
 * Counting a request is a few map and array updates keyed by small integers (no strings built,
 * nothing allocated once a route has been seen); labels are made only when /metrics is read.
 */
export class HttpMetrics {
  /** Requests by ((route * 8 + method) * 1000 + status). */
  private readonly requests = new Map<number, number>();
  /** Per route * 8 + method: count per bucket, then +Inf, then the sum of seconds. */
  private readonly durations = new Map<number, Float64Array>();

  observe(route: number, method: string | undefined, status: number, seconds: number): void {
    const series = route * HTTP_METHODS.length + methodIndex(method);
    const key = series * 1000 + (status >= 100 && status <= 999 ? status : 0);
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let d = this.durations.get(series);
    if (!d) this.durations.set(series, (d = new Float64Array(SUM + 1)));
    let b = 0;
    while (b < HTTP_DURATION_BUCKETS_S.length && seconds > HTTP_DURATION_BUCKETS_S[b]!) b++;
    d[b]! += 1;
    d[SUM]! += seconds;
  }

  /** Every series counted so far, labelled with `routes` (RouteTable.names). */
  requestCounts(routes: readonly string[]): Array<{ route: string; method: string; status: string; count: number }> {
    return [...this.requests].map(([key, count]) => {
      const series = Math.floor(key / 1000);
      return { ...this.labels(series, routes), status: String(key % 1000), count };
    });
  }

  durationHistograms(routes: readonly string[]): Array<{ route: string; method: string; buckets: number[]; sum: number }> {
    return [...this.durations].map(([series, d]) => ({ ...this.labels(series, routes), buckets: Array.from(d.subarray(0, SUM)), sum: d[SUM]! }));
  }

  private labels(series: number, routes: readonly string[]): { route: string; method: string } {
    return { route: routes[Math.floor(series / HTTP_METHODS.length)] ?? "unknown", method: HTTP_METHODS[series % HTTP_METHODS.length]! };
  }
}
