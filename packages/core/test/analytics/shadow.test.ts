import { afterEach, describe, expect, it } from "vitest";
import { openLocalPlatform, type LocalPlatform } from "../../src/adapters/local/platform.ts";
import { DEMO_RULESET } from "../../src/demo/ruleset.ts";
import { toLakeRecord } from "../../src/lake/schema.ts";
import { RulesetContent } from "../../src/ruleset/ruleset.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { tempDirs } from "./lake-fixture.ts";

const dirs = tempDirs();
const ana = { id: "ana" };
let platform: LocalPlatform | undefined;

afterEach(() => {
  platform?.close();
  platform = undefined;
  dirs.cleanup();
});

/** The demo ruleset live, and a stricter draft that reviews anything over 1,000. */
async function setUp() {
  platform = openLocalPlatform({ dataDir: dirs.make(), settings: defaultSettings, clock: () => new Date("2025-06-15T12:00:00Z") });
  const live = await platform.rules.saveDraft(RulesetContent.parse(DEMO_RULESET), ana);
  await platform.rules.publish(live.version, ana);
  const strict = await platform.rules.saveDraft(
    RulesetContent.parse({ thresholds: { review: 50, block: 80 }, rules: [{ id: "OVER_1000", name: "Over 1,000", expression: "amount > 1000.0", score: 50 }] }),
    ana,
  );
  return { p: platform, live: live.version, strict: strict.version };
}

const tx = (id: string, amount: number, extra: Record<string, unknown> = {}) => ({
  transaction_id: id,
  user_id: "user-1",
  amount,
  merchant_id: "m1",
  timestamp: "2025-06-15T11:00:00.000Z",
  ...extra,
});

describe("shadow ruleset", () => {
  it("runs beside the live one: its outcome is recorded, the live decision is what counts", async () => {
    const { p, live, strict } = await setUp();
    await p.rules.setShadow(strict, ana);
    expect(await p.rules.shadowVersion()).toBe(strict);
    const result = await p.scoring.submit(tx("s1", 1500));
    expect(result.status).toBe("recorded");
    if (result.status !== "recorded") return;
    expect(result.decision.ruleset_version).toBe(live);
    expect(result.decision.decision).toBe("APPROVED");
    expect(result.decision.shadow).toEqual({ version: strict, decision: "REVIEW", score: 50, rules: ["OVER_1000"] });
    // Stored with the decision, and in the lake row.
    expect((await p.decisions.get("s1"))?.shadow).toEqual(result.decision.shadow);
    expect(toLakeRecord(result.decision).record).toMatchObject({
      shadow_version: strict,
      shadow_decision: "REVIEW",
      shadow_score: 50,
      shadow_rules_fired: ["OVER_1000"],
    });
  });

  it("a block-list match blocks in the shadow too", async () => {
    const { p, strict } = await setUp();
    await p.rules.setShadow(strict, ana);
    await p.lists.add({ kind: "block", field: "device_id", value: "stolen", reason: "reported stolen" }, ana);
    const result = await p.scoring.submit(tx("s2", 10, { device_id: "stolen" }));
    expect(result.status === "recorded" && result.decision.shadow).toEqual({ version: strict, decision: "BLOCKED", score: 100, rules: [] });
  });

  it("without a shadow ruleset nothing is added; clearing it stops it", async () => {
    const { p, strict } = await setUp();
    const before = await p.scoring.submit(tx("s3", 1500));
    expect(before.status === "recorded" && "shadow" in before.decision).toBe(false);
    expect(toLakeRecord((before as { decision: Parameters<typeof toLakeRecord>[0] }).decision).record).toMatchObject({
      shadow_version: null,
      shadow_decision: null,
    });
    await p.rules.setShadow(strict, ana);
    await p.rules.setShadow(null, ana);
    const after = await p.scoring.submit(tx("s4", 1500));
    expect(after.status === "recorded" && after.decision.shadow).toBeUndefined();
  });

  it("only a draft can run in shadow; publishing it ends the shadow run", async () => {
    const { p, live, strict } = await setUp();
    await expect(p.rules.setShadow(live, ana)).rejects.toMatchObject({ code: "RULESET_NOT_DRAFT" });
    await expect(p.rules.setShadow(999, ana)).rejects.toMatchObject({ code: "RULESET_NOT_FOUND" });
    await p.rules.setShadow(strict, ana);
    await p.rules.publish(strict, ana);
    expect(await p.rules.shadowVersion()).toBe(0);
    const result = await p.scoring.submit(tx("s5", 1500));
    expect(result.status === "recorded" && result.decision).toMatchObject({ ruleset_version: strict, decision: "REVIEW" });
    expect(result.status === "recorded" && result.decision.shadow).toBeUndefined();
    const audit = p.db.prepare("SELECT action, after FROM audit_log WHERE action = 'ruleset.shadow' ORDER BY id").all() as Array<{
      action: string;
      after: string;
    }>;
    expect(audit.map((a) => JSON.parse(a.after))).toEqual([{ shadow_version: strict }]);
  });
});
