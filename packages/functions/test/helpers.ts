import { defaultSettings, seedDemo } from "@fraud/core";
import { openLocalPlatform, type LocalPlatform } from "@fraud/core/local";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApi } from "../src/api/app.ts";

export const TEST_KEY = "test-key-0123456789abcdef";
export const READ_ONLY_KEY = "read-only-key-0123456789";

export interface TestApp {
  platform: LocalPlatform;
  api: ReturnType<typeof createApi>;
  dir: string;
  post(body: unknown, init?: { key?: string; headers?: Record<string, string>; raw?: string | Uint8Array }): Promise<Response>;
  cleanup(): void;
}

/** A seeded platform on real SQLite files in a temp dir, with the API in memory. */
export async function testApp(): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), "fraud-api-"));
  const platform = openLocalPlatform({ dataDir: dir, settings: defaultSettings, unhealthyAfterFailureMs: 300 });
  await seedDemo(platform, new Date());
  await platform.apiKeys.create("test", ["ingest", "read"], { id: "test" }, TEST_KEY);
  await platform.apiKeys.create("reader", ["read"], { id: "test" }, READ_ONLY_KEY);
  const api = createApi({
    scoring: platform.scoring,
    decisions: platform.decisions,
    apiKeys: platform.apiKeys,
    logger: { error: () => undefined, warn: () => undefined },
  });
  return {
    platform,
    api,
    dir,
    post: async (body, init = {}) =>
      api.request("/api/transactions", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${init.key ?? TEST_KEY}`, ...init.headers },
        body: init.raw ?? JSON.stringify(body),
      }),
    cleanup: () => {
      platform.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function tableCounts(platform: LocalPlatform): { decisions: number; outbox: number; profiles: number } {
  const n = (sql: string) => (platform.db.prepare(sql).get() as { n: number }).n;
  return {
    decisions: n("SELECT count(*) AS n FROM decisions"),
    outbox: n("SELECT count(*) AS n FROM outbox"),
    profiles: n("SELECT count(*) AS n FROM profiles"),
  };
}
