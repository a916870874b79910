import { afterEach, describe, expect, it } from "vitest";
import type { Decision } from "../../src/decision/decision.ts";
import { DEMO_RULESET } from "../../src/demo/ruleset.ts";
import { VisibleError } from "../../src/errors/errors.ts";
import type { DecisionLog, ListStore, ProfileStore, RuleStore, TestDecisionLog } from "../../src/platform/ports.ts";
import { newProfile } from "../../src/profile/profile.ts";
import { RulesetContent } from "../../src/ruleset/ruleset.ts";
import type { Scoring, SubmitResult } from "../../src/decision/scoring.ts";
import type { TransactionInput } from "../../src/transaction/transaction.ts";
import { type ApiKeyStore } from "../../src/user/ports.ts";

/** The stores of one adapter, fresh and empty, and how to close them. */
export interface PortsFixture {
  profiles: ProfileStore;
  decisions: DecisionLog;
  testDecisions: TestDecisionLog;
  rules: RuleStore;
  lists: ListStore;
  apiKeys: ApiKeyStore;
  scoring: Scoring;
  /** Transaction ids of every event handed to the consumers so far (the outbox, the stream). */
  events(): Promise<string[]>;
  close(): Promise<void>;
}
export type MakeFixture = (clock: () => Date) => Promise<PortsFixture>;

/** 2025-06-15 12:00 UTC, one second later at every reading: decisions get distinct times. */
export function tickingClock(start = Date.parse("2025-06-15T12:00:00.000Z")): () => Date {
  let t = start;
  return () => new Date((t += 1_000));
}

const ACTOR = { id: "analyst-1" };
const RULES = RulesetContent.parse(DEMO_RULESET);

async function expectVisible(p: Promise<unknown>, code: string): Promise<void> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected VisibleError ${code}`).toBeInstanceOf(VisibleError);
  expect((error as VisibleError).code).toBe(code);
}

/**
 * The behaviour every adapter of the ports must have. Registered once per adapter: the local one
 * (SQLite) and the AWS one (DynamoDB and Kinesis emulators).
 */
export function portContracts(adapter: string, make: MakeFixture): void {
  const open: PortsFixture[] = [];
  const fixture = async () => {
    const f = await make(tickingClock());
    open.push(f);
    return f;
  };
  afterEach(async () => {
    for (const f of open.splice(0)) await f.close();
  });

  const published = async (f: PortsFixture) => {
    const draft = await f.rules.saveDraft(RULES, ACTOR, "demo");
    await f.rules.publish(draft.version, ACTOR);
  };
  const txn = (fields: Partial<TransactionInput>): TransactionInput => ({
    user_id: "user-1",
    amount: 100,
    merchant_id: "merchant-1",
    device_id: "device-1",
    location: "Douala, CM",
    timestamp: "2025-06-15T11:00:00.000Z",
    ...fields,
  });

  describe(`${adapter}: ProfileStore`, () => {
    it("creates a profile only when the customer has none, and reads it back", async () => {
      const { profiles } = await fixture();
      expect(await profiles.get("user-1")).toBeUndefined();
      const p = { ...newProfile("user-1", "2024-01-01T00:00:00.000Z"), email: "Ada@Example.com", risk_level: "LOW" as const };
      expect(await profiles.insertIfMissing(p)).toBe(true);
      expect(await profiles.insertIfMissing({ ...p, risk_level: "HIGH" })).toBe(false);
      expect(await profiles.get("user-1")).toEqual(p);
    });

    it("edits the analyst's fields, bumps the version and remembers an edited device", async () => {
      const { profiles } = await fixture();
      await profiles.insertIfMissing(newProfile("user-1", "2024-01-01T00:00:00.000Z"));
      const edited = await profiles.edit("user-1", { risk_level: "HIGH", last_device_id: "device-9" }, ACTOR);
      expect(edited).toMatchObject({ risk_level: "HIGH", last_device_id: "device-9", version: 1 });
      expect(edited.known_devices).toContain("device-9");
      expect(await profiles.get("user-1")).toEqual(edited);
      await expectVisible(profiles.edit("nobody", { risk_level: "LOW" }, ACTOR), "PROFILE_NOT_FOUND");
      await expect(profiles.edit("user-1", { version: 7 } as never, ACTOR)).rejects.toThrow();
    });

    it("finds customers by part of their id or email, ignoring case, newest change first", async () => {
      const { profiles } = await fixture();
      for (const [id, email, at] of [
        ["cust-a", "amina@bank.cm", "2025-06-01T00:00:00.000Z"],
        ["cust-b", "BOB@bank.cm", "2025-06-03T00:00:00.000Z"],
        ["other", "carl@mail.cm", "2025-06-02T00:00:00.000Z"],
      ] as const) {
        await profiles.insertIfMissing({ ...newProfile(id, at), email, updated_at: at });
      }
      expect((await profiles.search("CUST", 10)).map((p) => p.user_id)).toEqual(["cust-b", "cust-a"]);
      expect((await profiles.search("bob@", 10)).map((p) => p.user_id)).toEqual(["cust-b"]);
      expect((await profiles.search("bank.cm", 1)).map((p) => p.user_id)).toEqual(["cust-b"]);
      expect(await profiles.search("nobody", 10)).toEqual([]);
    });
  });

  describe(`${adapter}: DecisionLog`, () => {
    it("records a decision once, updates the profile, and answers a retry with the first decision", async () => {
      const f = await fixture();
      await published(f);
      const first = await f.scoring.submit(txn({ transaction_id: "t-1" }));
      expect(first.status).toBe("recorded");
      const again = await f.scoring.submit(txn({ transaction_id: "t-1" }));
      expect(again.status).toBe("duplicate");
      if (first.status === "invalid" || again.status === "invalid") throw new Error("invalid");
      expect(again.decision).toEqual(first.decision);
      expect(await f.decisions.get("t-1")).toEqual(first.decision);
      const profile = await f.profiles.get("user-1");
      expect(profile?.version).toBe(1);
      expect(profile?.recent).toHaveLength(1);
    });

    it("refuses a transaction id reused for a different transaction", async () => {
      const f = await fixture();
      await published(f);
      await f.scoring.submit(txn({ transaction_id: "t-1", amount: 100 }));
      const other = await f.scoring.submit(txn({ transaction_id: "t-1", amount: 5_000 }));
      expect(other.status).toBe("conflict");
      expect((await f.profiles.get("user-1"))?.version).toBe(1);
    });

    it("loses no profile update when one customer's transactions arrive at the same time", async () => {
      const f = await fixture();
      await published(f);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => f.scoring.submit(txn({ transaction_id: `c-${i}`, amount: 10 + i }))));
      expect(results.map((r) => r.status)).toEqual(Array(8).fill("recorded"));
      const profile = await f.profiles.get("user-1");
      expect(profile?.version).toBe(8);
      expect(profile?.recent).toHaveLength(8);
      // Same time for all: each decision saw exactly the ones recorded before it, so the
      // velocity counts are 0..7, each once, whatever order the writes won in.
      const counts = results.map((r) => (r.status === "invalid" ? -1 : (r.decision.features.tx_count_24h as number))).sort();
      expect(counts).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    });

    it("records a transaction id once when its retries race", async () => {
      const f = await fixture();
      await published(f);
      const results = await Promise.all(Array.from({ length: 5 }, () => f.scoring.submit(txn({ transaction_id: "race" }))));
      expect(results.filter((r) => r.status === "recorded")).toHaveLength(1);
      expect(results.filter((r) => r.status === "duplicate")).toHaveLength(4);
      expect((await f.profiles.get("user-1"))?.version).toBe(1);
    });

    it("searches decisions by customer, outcome, rule and amount, newest first, with a cursor", async () => {
      const f = await fixture();
      await published(f);
      await f.profiles.insertIfMissing({ ...newProfile("user-2", "2024-01-01T00:00:00.000Z"), risk_level: "LOW" });
      const submitted: Decision[] = [];
      for (const [id, user, amount] of [
        ["s-1", "user-1", 50],
        ["s-2", "user-2", 9_000],
        ["s-3", "user-1", 70],
        ["s-4", "user-2", 60],
      ] as const) {
        const r = await f.scoring.submit(txn({ transaction_id: id, user_id: user, amount }));
        if (r.status !== "recorded") throw new Error(r.status);
        submitted.push(r.decision);
      }
      const ids = (ds: Array<{ transaction_id: string }>) => ds.map((d) => d.transaction_id);
      expect(ids(await f.decisions.search({}))).toEqual(["s-4", "s-3", "s-2", "s-1"]);
      expect(ids(await f.decisions.search({ user_id: "user-1" }))).toEqual(["s-3", "s-1"]);
      expect(ids(await f.decisions.search({ min_amount: 60, max_amount: 100 }))).toEqual(["s-4", "s-3"]);
      expect(ids(await f.decisions.search({ limit: 2 }))).toEqual(["s-4", "s-3"]);
      expect(ids(await f.decisions.search({ before: submitted[2]!.decided_at }))).toEqual(["s-2", "s-1"]);
      const newestFirst = (keep: (d: (typeof submitted)[number]) => boolean) => ids(submitted.filter(keep).reverse());
      const big = submitted[1]!;
      expect(big.decision).not.toBe("APPROVED");
      expect(ids(await f.decisions.search({ decision: big.decision }))).toEqual(newestFirst((d) => d.decision === big.decision));
      expect(ids(await f.decisions.search({ decision: "APPROVED" }))).toEqual(newestFirst((d) => d.decision === "APPROVED"));
      const rule = big.rules[0]!.id;
      expect(ids(await f.decisions.search({ rule_id: rule }))).toEqual(newestFirst((d) => d.rules.some((r) => r.id === rule)));
      expect(ids(await f.decisions.search({ user_id: "user-2", decision: big.decision }))).toEqual(
        newestFirst((d) => d.user_id === "user-2" && d.decision === big.decision),
      );
      expect(await f.decisions.get("unknown")).toBeUndefined();
    });
  });

  describe(`${adapter}: TestDecisionLog`, () => {
    const decisionOf = (r: SubmitResult) => {
      if (r.status === "invalid") throw new Error(JSON.stringify(r.fields));
      return r.decision;
    };
    /** The customer with one real transaction: a known device and place, one in the last 24 hours. */
    const withHistory = async (f: PortsFixture, prefix: string) => {
      await published(f);
      decisionOf(await f.scoring.submit(txn({ transaction_id: `${prefix}-real-1`, timestamp: "2025-06-15T10:00:00.000Z" })));
    };
    const suspicious = (id: string, fields: Partial<TransactionInput> = {}) =>
      txn({ transaction_id: id, amount: 9_000, device_id: "device-thief", location: "Paris, FR", timestamp: "2025-06-15T10:00:30.000Z", ...fields });

    it("scores a test against the customer's profile, stores it marked as a test, and leaves the profile exactly as it was", async () => {
      const f = await fixture();
      await withHistory(f, "ta");
      const before = await f.profiles.get("user-1");
      const result = await f.scoring.submitTest(suspicious("ta-test-1"));
      expect(result.status).toBe("recorded");
      const tested = decisionOf(result);
      expect(tested.test).toBe(true);
      // Scored as a real one would be: on the real profile, with the live ruleset.
      expect(tested.features).toMatchObject({ tx_count_24h: 1, seconds_since_last_tx: 30, device_changed: true });
      expect(tested.rules.map((r) => r.id)).toEqual(expect.arrayContaining(["DEVICE_CHANGE", "RAPID_SUCCESSION"]));
      expect(tested.decision).toBe("BLOCKED");

      expect(await f.profiles.get("user-1")).toEqual(before);
      expect(await f.testDecisions.get("ta-test-1")).toEqual(tested);
      expect(await f.decisions.get("ta-test-1")).toBeUndefined();
      expect((await f.decisions.search({})).map((d) => d.transaction_id)).toEqual(["ta-real-1"]);
      expect(await f.decisions.search({ decision: "BLOCKED" })).toEqual([]);
      expect(await f.decisions.search({ user_id: "user-1" })).toHaveLength(1);
      const events = await f.events();
      expect(events).toContain("ta-real-1");
      expect(events).not.toContain("ta-test-1");
    });

    it("leaves a real transaction after a test scored as if the test had never happened", async () => {
      const real = (f: PortsFixture) => f.scoring.submit(txn({ transaction_id: "tb-real-2", device_id: "device-2", timestamp: "2025-06-15T10:01:00.000Z" }));
      const control = await fixture();
      await withHistory(control, "tb");
      const expected = decisionOf(await real(control));

      const f = await fixture();
      await withHistory(f, "tb");
      decisionOf(await f.scoring.submitTest(suspicious("tb-test-1", { device_id: "device-2" })));
      decisionOf(await f.scoring.submitTest(suspicious("tb-test-2", { amount: 20, device_id: "device-1", location: "Douala, CM" })));
      const after = decisionOf(await real(f));
      expect(after.features).toEqual(expected.features);
      expect(after.profile_before).toEqual(expected.profile_before);
      expect([after.decision, after.score, after.rules]).toEqual([expected.decision, expected.score, expected.rules]);
      const { updated_at: _a, ...profile } = (await f.profiles.get("user-1"))!;
      const { updated_at: _b, ...expectedProfile } = (await control.profiles.get("user-1"))!;
      expect(profile).toEqual(expectedProfile);
    });

    it("answers the same test again with its decision, refuses its id for another test or when a real transaction has it, and leaves its id free for real traffic", async () => {
      const f = await fixture();
      await withHistory(f, "tc");
      const first = decisionOf(await f.scoring.submitTest(suspicious("tc-1")));
      const again = await f.scoring.submitTest(suspicious("tc-1"));
      expect(again.status).toBe("duplicate");
      expect(decisionOf(again)).toEqual(first);
      expect((await f.scoring.submitTest(suspicious("tc-1", { amount: 10 }))).status).toBe("conflict");
      expect((await f.scoring.submitTest(suspicious("tc-real-1"))).status).toBe("conflict");
      expect(await f.testDecisions.get("tc-real-1")).toBeUndefined();

      // A real transaction later sent with the test's id is a new transaction, recorded and counted.
      const real = await f.scoring.submit(suspicious("tc-1"));
      expect(real.status).toBe("recorded");
      expect(decisionOf(real).test).toBeUndefined();
      expect(decisionOf(real).features.tx_count_24h).toBe(1);
      expect((await f.decisions.get("tc-1"))?.test).toBeUndefined();
      expect(await f.events()).toContain("tc-1");
      expect((await f.profiles.get("user-1"))?.version).toBe(2);
    });

    it("records a test once when the same test is sent several times at once", async () => {
      const f = await fixture();
      await withHistory(f, "te");
      const results = await Promise.all(Array.from({ length: 4 }, () => f.scoring.submitTest(suspicious("te-race"))));
      expect(results.map((r) => r.status).sort()).toEqual(["duplicate", "duplicate", "duplicate", "recorded"]);
      const recorded = decisionOf(results.find((r) => r.status === "recorded")!);
      for (const r of results) expect(decisionOf(r)).toEqual(recorded);
    });

    it("lets the tests of one sandbox see each other in its copy of the profiles, and nothing else see them", async () => {
      const f = await fixture();
      await withHistory(f, "td");
      const before = await f.profiles.get("user-1");
      const at = (minute: number) => `2025-06-15T10:${String(minute).padStart(2, "0")}:00.000Z`;
      const inRun = (id: string, minute: number, sandbox: string) => f.scoring.submitTest(txn({ transaction_id: id, timestamp: at(minute) }), { sandbox });
      decisionOf(await inRun("td-a-1", 5, "lab-run-a"));
      const second = decisionOf(await inRun("td-a-2", 6, "lab-run-a"));
      expect(second.features).toMatchObject({ tx_count_24h: 2, seconds_since_last_tx: 60 });
      expect(second.profile_before.transaction_count_30d).toBe(2);
      const other = decisionOf(await inRun("td-b-1", 7, "lab-run-b"));
      expect(other.features).toMatchObject({ tx_count_24h: 1, seconds_since_last_tx: 420 });
      const alone = decisionOf(await f.scoring.submitTest(txn({ transaction_id: "td-c-1", timestamp: at(8) })));
      expect(alone.features).toMatchObject({ tx_count_24h: 1, seconds_since_last_tx: 480 });

      expect(await f.profiles.get("user-1")).toEqual(before);
      const real = decisionOf(await f.scoring.submit(txn({ transaction_id: "td-real-2", timestamp: at(9) })));
      expect(real.features).toMatchObject({ tx_count_24h: 1, seconds_since_last_tx: 540 });
      expect(await f.events()).not.toEqual(expect.arrayContaining(["td-a-1"]));
      await expect(f.scoring.submitTest(txn({ transaction_id: "td-x" }), { sandbox: "Not A Sandbox!" })).rejects.toThrow(/sandbox/);
    });
  });

  describe(`${adapter}: RuleStore`, () => {
    it("starts empty, then keeps every version with one live", async () => {
      const { rules } = await fixture();
      expect(await rules.liveVersion()).toBe(0);
      expect(await rules.live()).toBeUndefined();
      expect(await rules.versions()).toEqual([]);
      const v1 = await rules.saveDraft(RULES, ACTOR, "first");
      expect(v1).toMatchObject({ version: 1, status: "draft", note: "first", created_by: "analyst-1", published_at: null });
      await rules.publish(1, ACTOR);
      const v2 = await rules.saveDraft({ ...RULES, thresholds: { review: 40, block: 70 } }, ACTOR);
      const live2 = await rules.publish(v2.version, ACTOR);
      expect(live2).toMatchObject({ version: 2, status: "published", published_by: "analyst-1" });
      expect(await rules.liveVersion()).toBe(2);
      expect((await rules.live())?.thresholds).toEqual({ review: 40, block: 70 });
      expect((await rules.versions()).map((r) => [r.version, r.status])).toEqual([
        [2, "published"],
        [1, "archived"],
      ]);
    });

    it("refuses invalid rules, unknown versions and publishing twice", async () => {
      const { rules } = await fixture();
      await expectVisible(rules.saveDraft({ ...RULES, rules: [{ ...RULES.rules[0]!, expression: "amount >" }] }, ACTOR), "INVALID_RULE_EXPRESSION");
      await expectVisible(rules.publish(9, ACTOR), "RULESET_NOT_FOUND");
      const d = await rules.saveDraft(RULES, ACTOR);
      await rules.publish(d.version, ACTOR);
      await expectVisible(rules.publish(d.version, ACTOR), "RULESET_NOT_DRAFT");
    });

    it("rolls back by publishing a copy of an earlier version", async () => {
      const { rules } = await fixture();
      await rules.publish((await rules.saveDraft(RULES, ACTOR)).version, ACTOR);
      await rules.publish((await rules.saveDraft({ ...RULES, thresholds: { review: 10, block: 20 } }, ACTOR)).version, ACTOR);
      const draft = await rules.saveDraft(RULES, ACTOR);
      await expectVisible(rules.rollback(draft.version, ACTOR), "RULESET_NEVER_PUBLISHED");
      const back = await rules.rollback(1, ACTOR);
      expect(back).toMatchObject({ version: 4, status: "published", note: "rollback to version 1", thresholds: RULES.thresholds });
      expect(await rules.liveVersion()).toBe(4);
    });
  });

  describe(`${adapter}: ListStore`, () => {
    it("adds, finds by field and value, lists newest first and removes entries", async () => {
      const { lists } = await fixture();
      const a = await lists.add({ kind: "block", field: "device_id", value: "dev-x", reason: "stolen phone" }, ACTOR);
      const b = await lists.add({ kind: "allow", field: "user_id", value: "vip-1", reason: "payroll", expires_at: "2030-01-01T00:00:00.000Z" }, ACTOR);
      expect(a).toMatchObject({ kind: "block", field: "device_id", value: "dev-x", created_by: "analyst-1", expires_at: null });
      expect(b.id).toBeGreaterThan(a.id);
      expect(await lists.find([{ field: "device_id", value: "dev-x" }])).toEqual([a]);
      expect(await lists.find([{ field: "device_id", value: "vip-1" }])).toEqual([]);
      expect(
        (
          await lists.find([
            { field: "user_id", value: "vip-1" },
            { field: "device_id", value: "dev-x" },
          ])
        )
          .map((e) => e.id)
          .sort(),
      ).toEqual([a.id, b.id].sort());
      expect(await lists.all()).toEqual([b, a]);
      await lists.remove(a.id, ACTOR);
      expect(await lists.find([{ field: "device_id", value: "dev-x" }])).toEqual([]);
      expect(await lists.all()).toEqual([b]);
      await expectVisible(lists.remove(a.id, ACTOR), "LIST_ENTRY_NOT_FOUND");
      await expectVisible(lists.remove(999, ACTOR), "LIST_ENTRY_NOT_FOUND");
    });

    it("blocks a listed device at scoring time", async () => {
      const f = await fixture();
      await published(f);
      await f.lists.add({ kind: "block", field: "device_id", value: "dev-stolen", reason: "reported stolen" }, ACTOR);
      const r = await f.scoring.submit(txn({ transaction_id: "l-1", device_id: "dev-stolen" }));
      expect(r.status === "recorded" && r.decision.decision).toBe("BLOCKED");
    });
  });

  describe(`${adapter}: ApiKeyStore`, () => {
    it("verifies a key until it is revoked, and never lists the key itself", async () => {
      const { apiKeys } = await fixture();
      const { key, info } = await apiKeys.create("pos terminals", ["ingest"], ACTOR);
      expect(key).toMatch(/^fk_/);
      expect(await apiKeys.verify(key)).toEqual(info);
      expect(await apiKeys.verify(`${key}x`)).toBeUndefined();
      const given = await apiKeys.create("bootstrap", ["ingest", "read"], ACTOR, "a-chosen-key-of-32-characters-xx");
      expect(given.key).toBe("a-chosen-key-of-32-characters-xx");
      expect((await apiKeys.verify(given.key))?.scopes).toEqual(["ingest", "read"]);
      const listed = await apiKeys.list();
      expect(listed.map((k) => k.name).sort()).toEqual(["bootstrap", "pos terminals"]);
      expect(JSON.stringify(listed)).not.toContain(key);
      await apiKeys.revoke(info.id, ACTOR);
      expect(await apiKeys.verify(key)).toBeUndefined();
      expect((await apiKeys.list()).find((k) => k.id === info.id)?.revoked_at).not.toBeNull();
      await expectVisible(apiKeys.revoke(info.id, ACTOR), "API_KEY_NOT_FOUND");
    });
  });
}
