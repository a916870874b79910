import { describe, expect, it } from "vitest";
import { openLocalPlatform } from "../src/adapters/local/index.ts";
import { DEMO_RULESET } from "../src/demo/ruleset.ts";
import { RulesetContent } from "../src/ruleset/ruleset.ts";
import { seedDemo } from "../src/demo/seed.ts";
import { defaultSettings } from "../src/settings/settings.ts";
import { localPlatforms, submitted, usual } from "./local-platform-support.ts";
import { NOW } from "./support.ts";

const { dirs, opened, open, seeded } = localPlatforms();

describe("changes made by another process", () => {
  it("scoring keeps the lists in memory, yet sees a change made by another process within a quarter second", async () => {
    const p = await seeded();
    const other = open(p.dataDir);
    expect(await p.lists.find([{ field: "device_id", value: "device_abc123" }])).toEqual([]);
    const entry = await other.lists.add({ kind: "block", field: "device_id", value: "device_abc123", reason: "reported stolen" }, { id: "cli" });
    await new Promise((r) => setTimeout(r, 300));
    expect(await p.lists.find([{ field: "device_id", value: "device_abc123" }])).toEqual([entry]);
    expect((await submitted(p, usual({ transaction_id: "t-other" }))).decision).toBe("BLOCKED");
    await other.lists.remove(entry.id, { id: "cli" });
    await new Promise((r) => setTimeout(r, 300));
    expect(await p.lists.find([{ field: "device_id", value: "device_abc123" }])).toEqual([]);
  });

  it("checking for changes before every use, a list change, a publish and a revoked key made by another process apply from the next decision", async () => {
    const dataDir = dirs.make();
    const server = openLocalPlatform({ dataDir, settings: defaultSettings, clock: () => NOW, changesCheckMs: 0 });
    opened.push(server);
    await seedDemo(server, NOW);
    const dashboard = open(dataDir);
    const { key, info } = await dashboard.apiKeys.create("partner", ["ingest"], { id: "admin" });
    expect((await server.apiKeys.verify(key))?.id).toBe(info.id);
    await server.scoring.submit(usual({ transaction_id: "t-warm" }));

    const entry = await dashboard.lists.add({ kind: "block", field: "device_id", value: "device_abc123", reason: "reported stolen" }, { id: "admin" });
    expect((await submitted(server, usual({ transaction_id: "t-listed" }))).list_match?.entry_id).toBe(entry.id);
    await dashboard.lists.remove(entry.id, { id: "admin" });

    const strict = {
      ...DEMO_RULESET,
      rules: [...DEMO_RULESET.rules, { id: "BIG_PAYMENT", name: "Payment above 300", expression: "amount > 300.0", score: 80 }],
    };
    await dashboard.rules.saveDraft(RulesetContent.parse(strict), { id: "admin" });
    await dashboard.rules.publish(2, { id: "admin" });
    const next = await submitted(server, usual({ transaction_id: "t-published", amount: 400 }));
    expect(next.ruleset_version).toBe(2);
    expect(next.rules.map((r) => r.id)).toContain("BIG_PAYMENT");

    await dashboard.apiKeys.revoke(info.id, { id: "admin" });
    expect(await server.apiKeys.verify(key)).toBeUndefined();
  });
});
