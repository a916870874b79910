import { describe, expect, it } from "vitest";
import { Decision } from "../src/decision/decision.ts";
import { counts, localPlatforms, submitted, usual } from "./local-platform-support.ts";
import { at, HOUR, MINUTE } from "./support.ts";

const { seeded } = localPlatforms();

describe("Scoring.submit on the SQLite stores", () => {
  it("records the decision, the customer's new profile and the outbox event", async () => {
    const p = await seeded();
    const before = await p.profiles.get("user_001");
    const d = await submitted(p, usual());
    expect([d.decision, d.score, d.ruleset_version]).toEqual(["APPROVED", 0, 1]);
    expect(await p.decisions.get("t-usual")).toEqual(d);
    const profile = await p.profiles.get("user_001");
    expect(profile?.version).toBe(before!.version + 1);
    expect(profile?.last_transaction_at).toBe(at(-HOUR));
    const outbox = p.db
      .prepare(
        "SELECT o.id, o.transaction_id, CASE WHEN o.payload = '' THEN d.data ELSE o.payload END AS payload FROM outbox o JOIN decisions d USING (transaction_id)",
      )
      .all() as Array<{ transaction_id: string; payload: string }>;
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.transaction_id).toBe("t-usual");
    expect(Decision.parse(JSON.parse(outbox[0]!.payload))).toEqual(d);
  });

  it("is all or nothing: when the outbox write fails, no decision is stored and the profile is unchanged", async () => {
    const p = await seeded();
    const before = { counts: counts(p), profile: await p.profiles.get("user_001") };
    p.db.exec("CREATE TRIGGER outbox_fails BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox unavailable'); END");
    await expect(p.scoring.submit(usual())).rejects.toThrow("outbox unavailable");
    expect(counts(p)).toEqual(before.counts);
    expect(await p.profiles.get("user_001")).toEqual(before.profile);
    expect(await p.decisions.get("t-usual")).toBeUndefined();

    p.db.exec("DROP TRIGGER outbox_fails");
    expect((await p.scoring.submit(usual())).status).toBe("recorded");
  });

  it("a retry with the same body is a duplicate: the same decision back, nothing recorded twice", async () => {
    const p = await seeded();
    const first = await submitted(p, usual());
    const afterFirst = { counts: counts(p), profile: await p.profiles.get("user_001") };
    // The same body, fields in another order.
    const retry = Object.fromEntries(Object.entries(usual()).reverse());
    expect(await p.scoring.submit(retry)).toEqual({ status: "duplicate", decision: first });
    expect(counts(p)).toEqual(afterFirst.counts);
    expect((await p.profiles.get("user_001"))?.version).toBe(afterFirst.profile!.version);
    expect(await p.profiles.get("user_001")).toEqual(afterFirst.profile);
  });

  it("the same transaction id with a different body is a conflict, and changes nothing", async () => {
    const p = await seeded();
    const first = await submitted(p, usual());
    const afterFirst = { counts: counts(p), profile: await p.profiles.get("user_001") };
    const r = await p.scoring.submit(usual({ amount: 9000, device_id: "device_unknown" }));
    expect(r).toEqual({ status: "conflict", decision: first });
    expect(counts(p)).toEqual(afterFirst.counts);
    expect(await p.profiles.get("user_001")).toEqual(afterFirst.profile);
  });

  it("invalid input is answered with the failing fields and stores nothing, not even a profile", async () => {
    const p = await seeded();
    const before = counts(p);
    const r = await p.scoring.submit({ user_id: "someone-new", amount: -5, merchant_id: "m", colour: "red" });
    expect(r).toEqual({
      status: "invalid",
      fields: { amount: ["must be greater than 0"], colour: ["is not a known field"] },
      issues: expect.arrayContaining([
        { field: "amount", code: "too_small", message: "must be greater than 0", params: { origin: "number", minimum: 0, inclusive: "false" } },
        { field: "colour", code: "unrecognized_keys", message: "is not a known field", params: {} },
      ]),
    });
    expect(counts(p)).toEqual(before);
    expect(await p.profiles.get("someone-new")).toBeUndefined();
  });

  it("opens a profile for a customer seen for the first time", async () => {
    const p = await seeded();
    const d = await submitted(p, { user_id: "someone-new", amount: 50, merchant_id: "m", timestamp: at(-MINUTE) });
    expect(d.profile_before.is_new_customer).toBe(true);
    expect(await p.profiles.get("someone-new")).toMatchObject({ risk_level: "NEW", version: 1, account_created: at(-MINUTE) });
  });
});
