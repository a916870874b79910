import { describe, expect, it } from "vitest";
import { openLocalPlatform, type LocalPlatform } from "../src/adapters/local/index.ts";
import { DEMO_RULESET } from "../src/demo/ruleset.ts";
import { env } from "../src/platform/env.ts";
import { seedDemo } from "../src/demo/seed.ts";
import { defaultSettings } from "../src/settings/settings.ts";
import { counts, localPlatforms } from "./local-platform-support.ts";
import { HOUR, NOW } from "./support.ts";

const { dirs, opened, open } = localPlatforms();

describe("openLocalPlatform and seedDemo", () => {
  it("seeds the lab's five customers and publishes the demo ruleset once; seeding again, even after a restart, changes nothing", async () => {
    const p = open();
    expect(await seedDemo(p, NOW)).toEqual({ profilesCreated: ["user_001", "user_002", "user_003", "user_004", "user_005"], rulesetPublished: 1 });
    const after = counts(p);
    expect(after).toMatchObject({ profiles: 5, rulesets: 1, decisions: 0 });
    const live = await p.rules.live();
    expect(live?.rules.map((r) => r.id)).toEqual(DEMO_RULESET.rules.map((r) => r.id));
    const user1 = await p.profiles.get("user_001");
    expect(user1).toMatchObject({ risk_level: "LOW", last_device_id: "device_abc123", last_location: "New York, US" });

    expect(await seedDemo(p, new Date(NOW.getTime() + HOUR))).toEqual({ profilesCreated: [], rulesetPublished: null });
    expect(counts(p)).toEqual(after);

    p.close();
    opened.splice(opened.indexOf(p), 1);
    const reopened = open(p.dataDir);
    expect(await seedDemo(reopened, NOW)).toEqual({ profilesCreated: [], rulesetPublished: null });
    expect(counts(reopened)).toEqual(after);
    expect(await reopened.profiles.get("user_001")).toEqual(user1);
  });
});

describe("SQLite page cache", () => {
  it("gives each connection FRAUD_SQLITE_CACHE_MB of page cache (64 MiB unless set), and refuses a size that makes no sense", () => {
    const cacheKiB = (p: LocalPlatform) => -(p.db.pragma("cache_size", { simple: true }) as number);
    expect(cacheKiB(open())).toBe(64 * 1024);
    const small = openLocalPlatform({ dataDir: dirs.make(), settings: defaultSettings, sqliteCacheMiB: 8 });
    opened.push(small);
    expect(cacheKiB(small)).toBe(8 * 1024);
    expect(env({}).FRAUD_SQLITE_CACHE_MB).toBe(64);
    expect(env({ FRAUD_SQLITE_CACHE_MB: "256" }).FRAUD_SQLITE_CACHE_MB).toBe(256);
    expect(() => env({ FRAUD_SQLITE_CACHE_MB: "0" })).toThrow(/FRAUD_SQLITE_CACHE_MB/);
    expect(() => env({ FRAUD_SQLITE_CACHE_MB: "lots" })).toThrow(/FRAUD_SQLITE_CACHE_MB/);
  });
});
