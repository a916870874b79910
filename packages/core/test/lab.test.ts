import { afterEach, describe, expect, it } from "vitest";
import { openLocalPlatform } from "../src/adapters/local/index.ts";
import { DEMO_RULESET } from "../src/demo/ruleset.ts";
import { lookupPlace } from "../src/features/geo.ts";
import { demoCustomers, labScenario, LAB_CUSTOMERS, type LabTransaction } from "../src/demo/scenario.ts";
import { seedDemo } from "../src/demo/seed.ts";
import { defaultSettings } from "../src/settings/settings.ts";
import { NOW, tempDirs } from "./support.ts";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

interface Outcome {
  label: LabTransaction["label"];
  transaction_id: string;
  decision: string;
  score: number;
  rules: string[];
}

/** The lab's scenario submitted, in order, to a freshly seeded embedded platform. */
async function runScenario(seed: number, country?: string): Promise<Outcome[]> {
  const platform = openLocalPlatform({ dataDir: dirs.make(), settings: defaultSettings, clock: () => NOW });
  try {
    await seedDemo(platform, NOW, country === undefined ? {} : { settings: { language: "fr", country } });
    const outcomes: Outcome[] = [];
    for (const { label, transaction } of labScenario({ seed, end: NOW, country })) {
      const r = await platform.scoring.submit(transaction);
      if (r.status !== "recorded") throw new Error(`seed ${seed}: ${transaction.transaction_id} was ${r.status}`);
      const d = r.decision;
      outcomes.push({ label, transaction_id: d.transaction_id, decision: d.decision, score: d.score, rules: d.rules.map((x) => x.id) });
    }
    return outcomes;
  } finally {
    platform.close();
  }
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe("the lab scenario through the scoring service", () => {
  it.each(SEEDS)("seed %i: all 30 normal transactions are APPROVED, all 10 suspicious ones REVIEW or BLOCKED", async (seed) => {
    const outcomes = await runScenario(seed);
    const normal = outcomes.filter((o) => o.label === "normal");
    const suspicious = outcomes.filter((o) => o.label === "suspicious");
    expect(normal).toHaveLength(30);
    expect(suspicious).toHaveLength(10);
    expect(normal.filter((o) => o.decision !== "APPROVED")).toEqual([]);
    expect(suspicious.filter((o) => o.decision === "APPROVED")).toEqual([]);
  });

  it("the scenario is the same for the same seed and differs for another", () => {
    const a = labScenario({ seed: 7, end: NOW });
    expect(labScenario({ seed: 7, end: NOW })).toEqual(a);
    expect(labScenario({ seed: 8, end: NOW })).not.toEqual(a);
    expect(a).toHaveLength(50);
    expect(a.map((t) => t.label)).toEqual([...Array(30).fill("normal"), ...Array(10).fill("suspicious"), ...Array(10).fill("new_customer")]);
  });

  it("transactions end at `end`, spaced as asked, with run-scoped ids, for the lab's customers only", () => {
    const s = labScenario({ seed: 3, end: NOW, spacingSeconds: 60, runId: "run-9" });
    expect(s.at(-1)!.transaction.timestamp).toBe(NOW.toISOString());
    expect(s[0]!.transaction.timestamp).toBe(new Date(NOW.getTime() - 49 * 60_000).toISOString());
    expect(s[0]!.transaction.transaction_id).toBe("run-9-001");
    const ids = new Set(LAB_CUSTOMERS.map((c) => c.user_id));
    for (const { transaction } of s) expect(ids.has(transaction.user_id)).toBe(true);
  });

  it("gives the same decisions when replayed on another fresh platform", async () => {
    const [first, second] = [await runScenario(11), await runScenario(11)];
    expect(second).toEqual(first);
  });
});

describe("the demo in a deployment's country and language", () => {
  it("puts the demo customers in the country's cities, in turn when it has fewer than five", () => {
    expect(demoCustomers("CM").map((c) => c.last_location)).toEqual(["Douala, CM", "Yaoundé, CM", "Garoua, CM", "Bamenda, CM", "Maroua, CM"]);
    expect(demoCustomers("GQ").map((c) => c.last_location)).toEqual(["Malabo, GQ", "Bata, GQ", "Ebebiyín, GQ", "Mongomo, GQ", "Malabo, GQ"]);
    expect(demoCustomers().map((c) => c.last_location)).toEqual(LAB_CUSTOMERS.map((c) => c.last_location));
  });

  it("seeds the customers where the deployment is and the rules in its language, ids unchanged", async () => {
    for (const [language, name] of [
      ["fr", "Montant très élevé"],
      ["en", "Very high amount"],
    ] as const) {
      const platform = openLocalPlatform({ dataDir: dirs.make(), settings: defaultSettings, clock: () => NOW });
      try {
        await seedDemo(platform, NOW, { settings: { language, country: "CM" } });
        const live = (await platform.rules.live())!;
        expect(live.rules.map((r) => r.id)).toEqual(DEMO_RULESET.rules.map((r) => r.id));
        expect(live.rules.find((r) => r.id === "VERY_HIGH_AMOUNT")?.name).toBe(name);
        expect(live.rules.map((r) => r.expression)).toEqual(DEMO_RULESET.rules.map((r) => r.expression));
        for (const c of LAB_CUSTOMERS) expect(lookupPlace((await platform.profiles.get(c.user_id))!.last_location!)?.country).toBe("CM");
      } finally {
        platform.close();
      }
    }
  });

  it("names every demo rule in French, not just some", async () => {
    const platform = openLocalPlatform({ dataDir: dirs.make(), settings: defaultSettings, clock: () => NOW });
    try {
      await seedDemo(platform, NOW, { settings: { language: "fr", country: "CM" } });
      const live = (await platform.rules.live())!;
      const english = new Map(DEMO_RULESET.rules.map((r) => [r.id, r]));
      for (const r of live.rules) {
        expect(r.name, r.id).not.toBe(english.get(r.id)?.name);
        expect(r.description, r.id).not.toBe(english.get(r.id)?.description);
      }
    } finally {
      platform.close();
    }
  });

  it.each([1, 2, 3])("seed %i: decides the scenario in Cameroon exactly as the lab's in its own cities", async (seed) => {
    const strip = (o: Outcome[]) => o.map(({ label, decision, score, rules }) => ({ label, decision, score, rules }));
    expect(strip(await runScenario(seed, "CM"))).toEqual(strip(await runScenario(seed)));
  });
});
