import { Demo, Settings } from "@fraud/core";
import { openLocalPlatform, type LocalPlatform } from "@fraud/core/local";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApi } from "../src/app.ts";
import { nodeListener } from "../src/node.ts";

export const TEST_KEY = "test-key-0123456789abcdef";
export const READ_ONLY_KEY = "read-only-key-0123456789";

export interface TestApp {
  platform: LocalPlatform;
  api: ReturnType<typeof createApi>;
  dir: string;
  /** POST /api/transactions; `key: null` sends no Authorization header. */
  post(body: unknown, init?: { key?: string | null; headers?: Record<string, string>; raw?: string | Uint8Array }): Promise<Response>;
  cleanup(): Promise<void>;
}

/**
 * A seeded platform on real SQLite files in a temp dir, with the API in memory (`hono`: requests
 * handed to the Hono app, as on Lambda) or on a real Node HTTP server (`node`: as `npm start`
 * serves it, with its direct route for POST /api/transactions).
 */
export async function testApp(transport: "hono" | "node" = "hono"): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), "fraud-api-"));
  const platform = openLocalPlatform({ dataDir: dir, settings: Settings.defaultSettings, unhealthyAfterFailureMs: 300 });
  await Demo.seedDemo(platform, new Date());
  await platform.apiKeys.create("test", ["ingest", "read"], { id: "test" }, TEST_KEY);
  await platform.apiKeys.create("reader", ["read"], { id: "test" }, READ_ONLY_KEY);
  const api = createApi({
    scoring: platform.scoring,
    decisions: platform.decisions,
    apiKeys: platform.apiKeys,
    logger: { error: () => undefined, warn: () => undefined },
  });
  let server: Server | undefined;
  let base = "http://in-memory";
  if (transport === "node") {
    server = createServer(nodeListener(api));
    await new Promise<void>((ok) => server!.listen(0, "127.0.0.1", ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const send = (path: string, init: RequestInit) => (server ? fetch(`${base}${path}`, init) : api.request(path, init));
  return {
    platform,
    api,
    dir,
    post: async (body, init = {}) => {
      const key = init.key === undefined ? TEST_KEY : init.key;
      return send("/api/transactions", {
        method: "POST",
        headers: { "content-type": "application/json", ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...init.headers },
        body: init.raw ?? JSON.stringify(body),
        ...(init.raw instanceof ReadableStream ? { duplex: "half" } : {}),
      } as RequestInit);
    },
    cleanup: async () => {
      if (server) await new Promise<void>((ok) => server!.close(() => ok()));
      platform.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function tableCounts(platform: LocalPlatform): { decisions: number; outbox: number; profiles: number; test_decisions: number } {
  const n = (sql: string) => (platform.db.prepare(sql).get() as { n: number }).n;
  return {
    decisions: n("SELECT count(*) AS n FROM decisions"),
    outbox: n("SELECT count(*) AS n FROM outbox"),
    profiles: n("SELECT count(*) AS n FROM profiles"),
    test_decisions: n("SELECT count(*) AS n FROM test_decisions"),
  };
}
