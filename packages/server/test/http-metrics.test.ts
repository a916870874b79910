import { describe, expect, it } from "vitest";
import { HttpMetrics } from "../src/telemetry/http-metrics.ts";
import { RouteTable } from "../src/telemetry/routes.ts";

const routes = new RouteTable(
  [
    { method: "POST", path: "/api/transactions" },
    { method: "ALL", path: "/api/transactions/:id" },
    { method: "GET", path: "/api/transactions/:id" },
    { method: "GET", path: "/api/reports/:name/run" },
  ],
  (url) => url === "/api" || url.startsWith("/api/") || url.startsWith("/api?"),
);
const name = (method: string, url: string) => routes.names[routes.of(method, url)];

describe("HTTP metric labels: a small, fixed set whatever clients send", () => {
  it("name each request by its route pattern, never its path", () => {
    expect(name("POST", "/api/transactions")).toBe("/api/transactions");
    expect(name("GET", "/api/transactions/tx-123?x=1")).toBe("/api/transactions/:id");
    expect(name("HEAD", "/api/transactions/tx-123")).toBe("/api/transactions/:id");
    expect(name("GET", "/api/reports/overview/run?from=2026-01-01")).toBe("/api/reports/:name/run");
    expect(name("GET", "/metrics")).toBe("/metrics");
    expect(name("DELETE", "/api/transactions/tx-123")).toBe("unmatched");
    expect(name("GET", "/api/anything/else")).toBe("unmatched");
    expect(name("GET", "/alerts/42")).toBe("dashboard");
  });

  it("count any method outside the usual ones as OTHER and any status outside 100-999 as 0", () => {
    const http = new HttpMetrics();
    for (let i = 0; i < 1_000; i++) http.observe(1, `BREW${i}`, 200, 0.001);
    http.observe(1, "POST", 12_345, 0.001);
    http.observe(1, "POST", 200, 20);
    expect(http.requestCounts(routes.names)).toEqual([
      { route: "unmatched", method: "OTHER", status: "200", count: 1_000 },
      { route: "unmatched", method: "POST", status: "0", count: 1 },
      { route: "unmatched", method: "POST", status: "200", count: 1 },
    ]);
    const post = http.durationHistograms(routes.names).find((h) => h.method === "POST")!;
    // Past the last bucket (10 s): counted in +Inf, and in the sum.
    expect(post.buckets.at(-1)).toBe(1);
    expect(post.sum).toBeCloseTo(20.001);
  });
});
