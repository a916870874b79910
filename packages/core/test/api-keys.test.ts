import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openLocalPlatform } from "../src/adapters/local/platform.ts";
import { hashApiKey } from "../src/user/credentials.ts";
import { defaultSettings } from "../src/settings/settings.ts";

const dir = mkdtempSync(join(tmpdir(), "fraud-access-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("API keys at rest", () => {
  it("are stored only as their hash: neither the table nor the database file holds the key", async () => {
    const p = openLocalPlatform({ dataDir: dir, settings: defaultSettings });
    const { key, info } = await p.apiKeys.create("pos terminals", ["ingest"], { id: "admin" });
    const rows = p.db.prepare("SELECT * FROM api_keys").all();
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(rows).toEqual([expect.objectContaining({ id: info.id, hash: hashApiKey(key), scopes: JSON.stringify(["ingest"]) })]);
    p.db.pragma("wal_checkpoint(TRUNCATE)");
    p.close();
    const bytes = readFileSync(join(dir, "fraud.db"));
    expect(bytes.includes(Buffer.from(key))).toBe(false);
    expect(bytes.includes(Buffer.from(hashApiKey(key)))).toBe(true);
  });
});
