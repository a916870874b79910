import { describe, expect, it } from "vitest";
import { DEMO_RULESET } from "../src/demo/ruleset.ts";
import { VisibleError } from "../src/errors/errors.ts";
import { RulesetContent, type RulesetContentInput } from "../src/ruleset/ruleset.ts";
import { counts, localPlatforms, submitted, usual } from "./local-platform-support.ts";
import { at, HOUR } from "./support.ts";

const { seeded } = localPlatforms();

describe("rule store", () => {
  const strict: RulesetContentInput = {
    ...DEMO_RULESET,
    rules: [...DEMO_RULESET.rules, { id: "BIG_PAYMENT", name: "Payment above 300", expression: "amount > 300.0", score: 80 }],
  };
  const lenient: RulesetContentInput = { rules: [{ id: "HUGE_PAYMENT", name: "Payment above a million", expression: "amount > 1000000.0", score: 80 }] };
  const analyst = { id: "analyst-1" };

  it("draft, publish, new draft, publish, rollback: each published version decides the next transaction", async () => {
    const p = await seeded();
    const payment = (n: number) => usual({ transaction_id: `t-${n}`, amount: 400, timestamp: at(-10 * HOUR + n * HOUR) });

    const v2 = await p.rules.saveDraft(RulesetContent.parse(strict), analyst, "block payments above 300");
    expect([v2.version, v2.status, await p.rules.liveVersion()]).toEqual([2, "draft", 1]);
    expect((await submitted(p, payment(1))).decision).toBe("APPROVED"); // a draft does not score

    await p.rules.publish(2, analyst);
    const underV2 = await submitted(p, payment(2));
    expect([underV2.decision, underV2.ruleset_version, underV2.rules.map((r) => r.id)]).toEqual(["BLOCKED", 2, ["BIG_PAYMENT"]]);

    await p.rules.saveDraft(RulesetContent.parse(lenient), analyst);
    await p.rules.publish(3, analyst);
    const underV3 = await submitted(p, payment(3));
    expect([underV3.decision, underV3.ruleset_version]).toEqual(["APPROVED", 3]);

    const v4 = await p.rules.rollback(2, analyst);
    expect([v4.version, v4.status, v4.note]).toEqual([4, "published", "rollback to version 2"]);
    expect(v4.rules).toEqual((await p.rules.get(2))!.rules);
    const underV4 = await submitted(p, payment(4));
    expect([underV4.decision, underV4.ruleset_version, underV4.rules.map((r) => r.id)]).toEqual(["BLOCKED", 4, ["BIG_PAYMENT"]]);

    expect((await p.rules.versions()).map((r) => [r.version, r.status])).toEqual([
      [4, "published"],
      [3, "archived"],
      [2, "archived"],
      [1, "archived"],
    ]);
    const actions = (
      p.db.prepare("SELECT action, entity_id, actor FROM audit_log WHERE entity = 'ruleset' ORDER BY id").all() as Array<{
        action: string;
        entity_id: string;
        actor: string;
      }>
    )
      .filter((r) => r.actor === "analyst-1")
      .map((r) => `${r.action} ${r.entity_id}`);
    expect(actions).toEqual(["ruleset.draft 2", "ruleset.publish 2", "ruleset.draft 3", "ruleset.publish 3", "ruleset.rollback 4"]);
  });

  it("refuses to publish a version that is not a draft, or to roll back to one never published", async () => {
    const p = await seeded();
    await expect(p.rules.publish(1, analyst)).rejects.toMatchObject({ code: "RULESET_NOT_DRAFT" });
    await p.rules.saveDraft(RulesetContent.parse(lenient), analyst);
    await expect(p.rules.rollback(2, analyst)).rejects.toMatchObject({ code: "RULESET_NEVER_PUBLISHED" });
    await expect(p.rules.publish(99, analyst)).rejects.toMatchObject({ code: "RULESET_NOT_FOUND" });
    expect(await p.rules.liveVersion()).toBe(1);
  });

  it("refuses a draft with an invalid expression, naming the rule and the position, and saves nothing", async () => {
    const p = await seeded();
    const before = counts(p);
    const content = RulesetContent.parse({
      rules: [
        { id: "FINE", name: "fine", expression: "amount > 100.0", score: 10 },
        { id: "BROKEN", name: "broken", expression: "amount > 100.0 && device_changed == 1.0", score: 10 },
      ],
    });
    const error = await p.rules.saveDraft(content, analyst).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VisibleError);
    expect(error).toMatchObject({
      code: "INVALID_RULE_EXPRESSION",
      fields: { "rules.1.expression": ["BROKEN: no such overload: bool == double (at character 19)"] },
    });
    expect(counts(p)).toEqual(before);
    expect((await p.rules.versions()).map((r) => r.version)).toEqual([1]);
  });
});
