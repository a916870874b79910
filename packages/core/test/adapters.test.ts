import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import Database from "better-sqlite3";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalDecisionLog } from "../src/adapters/local/decision-log.ts";
import { lakeGlob, LocalLakeWriter, openLocalPlatform, OutboxWorker, type LocalPlatform } from "../src/adapters/local/index.ts";
import { decide, Decision } from "../src/decision.ts";
import { DEMO_RULESET } from "../src/demo-ruleset.ts";
import { env } from "../src/env.ts";
import { VisibleError } from "../src/errors.ts";
import { LAKE_COLUMNS, toLakeRecord } from "../src/lake-schema.ts";
import { RulesetContent, type RulesetContentInput } from "../src/ruleset.ts";
import { seedDemo } from "../src/seed.ts";
import { defaultSettings } from "../src/settings.ts";
import { maskPersonalData } from "../src/personal-data.ts";
import { parseTransaction, type Transaction, type TransactionInput } from "../src/transaction.ts";
import { at, HOUR, MINUTE, NOW, tempDirs } from "./support.ts";

const dirs = tempDirs();
const opened: Array<{ close(): void }> = [];
let duck: DuckDBInstance;
let query: DuckDBConnection;

beforeAll(async () => {
  duck = await DuckDBInstance.create(":memory:");
  query = await duck.connect();
});

afterEach(() => {
  for (const o of opened.splice(0).reverse()) o.close();
  dirs.cleanup();
});

afterAll(() => {
  query.closeSync();
  duck.closeSync();
});

function open(dataDir = dirs.make()): LocalPlatform {
  const platform = openLocalPlatform({ dataDir, settings: defaultSettings, clock: () => NOW });
  opened.push(platform);
  return platform;
}

async function seeded(): Promise<LocalPlatform> {
  const p = open();
  await seedDemo(p, NOW);
  return p;
}

async function openLake(p: LocalPlatform): Promise<LocalLakeWriter> {
  const lake = await LocalLakeWriter.open(p.lakeDir);
  opened.push(lake);
  return lake;
}

function count(p: LocalPlatform, table: string): number {
  return (p.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

function counts(p: LocalPlatform) {
  return Object.fromEntries(["decisions", "outbox", "profiles", "rulesets", "audit_log", "lists", "alerts", "metrics_minute"].map((t) => [t, count(p, t)]));
}

/** Files of the lake, relative to the data dir, sorted. */
function lakeFiles(p: LocalPlatform): string[] {
  const raw = join(p.lakeDir, "raw");
  if (!existsSync(raw)) return [];
  return readdirSync(raw, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => relative(p.dataDir, join(f.parentPath, f.name)))
    .sort();
}

async function lake(p: LocalPlatform, sql: (source: string) => string): Promise<Record<string, unknown>[]> {
  const source = `read_parquet('${lakeGlob(p.lakeDir)}', hive_partitioning=true)`;
  return (await query.runAndReadAll(sql(source))).getRowObjectsJS();
}

async function lakeCount(p: LocalPlatform): Promise<number> {
  if (!lakeFiles(p).some((f) => f.endsWith(".parquet"))) return 0;
  const [row] = await lake(p, (src) => `SELECT count(*) AS n FROM ${src}`);
  return Number(row!.n);
}

/** A payment like user_001's usual ones (seeded: device_abc123 in New York, 30-day average 125.50). */
function usual(fields: Partial<TransactionInput> = {}): TransactionInput {
  return { transaction_id: "t-usual", user_id: "user_001", amount: 120, merchant_id: "MERCH_AMAZON", device_id: "device_abc123", location: "New York, US", timestamp: at(-HOUR), ...fields };
}

function parsedUsual(transactionId: string): Transaction {
  const r = parseTransaction(usual({ transaction_id: transactionId }), { settings: defaultSettings, now: NOW });
  if (!r.ok) throw new Error(JSON.stringify(r.fields));
  return r.transaction;
}

async function submitted(p: LocalPlatform, input: unknown): Promise<Decision> {
  const r = await p.scoring.submit(input);
  if (r.status !== "recorded") throw new Error(`expected recorded, got ${JSON.stringify(r)}`);
  return r.decision;
}

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

describe("report limits from the environment", () => {
  it("one report at a time on one thread in 1 GB for 30 s unless set, and refuses limits that make no sense", () => {
    expect(env({}).reportLimits).toEqual({ memoryMb: 1_024, timeoutMs: 30_000, threads: 1, concurrency: 1, queue: 4 });
    const set = env({ FRAUD_REPORT_MEMORY_MB: "4096", FRAUD_REPORT_TIMEOUT_MS: "120000", FRAUD_REPORT_THREADS: "4", FRAUD_REPORT_CONCURRENCY: "2", FRAUD_REPORT_QUEUE: "0" });
    expect(set.reportLimits).toEqual({ memoryMb: 4_096, timeoutMs: 120_000, threads: 4, concurrency: 2, queue: 0 });
    for (const [key, value] of [["FRAUD_REPORT_MEMORY_MB", "16"], ["FRAUD_REPORT_TIMEOUT_MS", "0"], ["FRAUD_REPORT_THREADS", "0"], ["FRAUD_REPORT_CONCURRENCY", "many"], ["FRAUD_REPORT_QUEUE", "-1"]] as const) {
      expect(() => env({ [key]: value }), key).toThrow(new RegExp(key));
    }
  });
});

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
    const outbox = p.db.prepare("SELECT o.id, o.transaction_id, CASE WHEN o.payload = '' THEN d.data ELSE o.payload END AS payload FROM outbox o JOIN decisions d USING (transaction_id)").all() as Array<{ transaction_id: string; payload: string }>;
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


  it("group commit: decisions arriving together share one commit; scoring that throws fails that decision alone", async () => {
    const p = await seeded();
    const before = counts(p);
    const versionBefore = (await p.profiles.get("user_001"))!.version;
    const commitsBefore = p.decisions.stats.commits;
    const submitted = [0, 1, 2, 3, 4].map((i) => p.scoring.submit(usual({ transaction_id: `t-${i}`, amount: 100 + i })));
    // A decision whose scoring has a bug, in the same batch.
    const broken = p.decisions.record(parsedUsual("t-broken"), "fp", () => {
      throw new Error("bug in scoring");
    });
    const results = await Promise.allSettled([...submitted, broken]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled", "fulfilled", "rejected"]);
    expect(String((results[5] as PromiseRejectedResult).reason)).toContain("bug in scoring");
    expect(p.decisions.stats.commits).toBe(commitsBefore + 1);
    expect(counts(p).decisions).toBe(before.decisions! + 5);
    expect(await p.decisions.get("t-broken")).toBeUndefined();
    // The profile counts the five payments exactly, in order.
    const profile = await p.profiles.get("user_001");
    expect(profile?.version).toBe(versionBefore + 5);
    expect(profile!.recent.filter((r) => r.at === Date.parse(at(-HOUR))).map((r) => r.amount)).toEqual([100, 101, 102, 103, 104]);
  });

  it("group commit: a write that fails rolls the whole batch back, nothing half written", async () => {
    const p = await seeded();
    const before = { counts: counts(p), profile: await p.profiles.get("user_001") };
    p.db.exec("CREATE TRIGGER outbox_fails BEFORE INSERT ON outbox WHEN NEW.transaction_id = 't-2' BEGIN SELECT RAISE(ABORT, 'outbox refused t-2'); END");
    const results = await Promise.allSettled([0, 1, 2, 3].map((i) => p.scoring.submit(usual({ transaction_id: `t-${i}`, amount: 100 + i }))));
    expect(results.every((r) => r.status === "rejected" && String(r.reason).includes("outbox refused t-2"))).toBe(true);
    expect(counts(p)).toEqual(before.counts);
    expect(await p.profiles.get("user_001")).toEqual(before.profile);
    p.db.exec("DROP TRIGGER outbox_fails");
    expect((await p.scoring.submit(usual({ transaction_id: "t-2" }))).status).toBe("recorded");
  });

  it("group commit: when the store cannot write (disk full), every decision of the batch fails and nothing is kept", async () => {
    const p = await seeded();
    const before = { counts: counts(p), profile: await p.profiles.get("user_001") };
    // Room for almost nothing more: the batch's commit cannot fit.
    const pages = (p.db.pragma("page_count", { simple: true }) as number) + 1;
    p.db.pragma(`max_page_count = ${pages}`);
    const big = "x".repeat(120);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => p.scoring.submit(usual({ transaction_id: `full-${i}`, merchant_id: `${big}${i}`.slice(-128) }))),
    );
    expect(results.every((r) => r.status === "rejected" && (r.reason as Error).name === "UnavailableError")).toBe(true);
    p.db.pragma("max_page_count = 1073741823");
    expect(counts(p)).toEqual(before.counts);
    expect(await p.profiles.get("user_001")).toEqual(before.profile);
    expect((await p.scoring.submit(usual({ transaction_id: "after" }))).status).toBe("recorded");
  });
  it("group commit: while another process holds the write lock, decisions wait without stopping the event loop, then commit together", async () => {
    const p = await seeded();
    const other = new Database(p.db.name);
    other.exec("BEGIN IMMEDIATE");
    const commitsBefore = p.decisions.stats.commits;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const started = performance.now();
    const released = new Promise<void>((r) =>
      setTimeout(() => {
        other.exec("COMMIT");
        r();
      }, 80),
    );
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => p.scoring.submit(usual({ transaction_id: `locked-${i}`, amount: 100 + i }))));
    const waited = performance.now() - started;
    clearInterval(ticker);
    await released;
    other.close();
    expect(results.map((r) => r.status)).toEqual(["recorded", "recorded", "recorded", "recorded", "recorded"]);
    expect(waited).toBeGreaterThanOrEqual(75);
    // SQLite's busy handler would have slept the whole process for the 80 ms: no timer would run.
    expect(ticks).toBeGreaterThan(10);
    expect(p.decisions.stats.commits).toBe(commitsBefore + 1);
  });

  it("group commit: under load a commit waits its window for more decisions; one at a time, it does not wait", async () => {
    const p = await seeded();
    const tx = (id: string) => {
      const r = parseTransaction(usual({ transaction_id: id }), { settings: defaultSettings, now: NOW });
      if (!r.ok) throw new Error(id);
      return r.transaction;
    };
    const ruleset = await p.scoring.ruleset();
    const record = (log: LocalDecisionLog, id: string) => {
      const t = tx(id);
      return log.record(t, id, (profile) => ({ ...decide({ tx: t, profile, ruleset, lists: [], settings: defaultSettings, decidedAt: NOW.toISOString() }), latency_ms: 1 }));
    };
    // Two decisions a moment apart (the second after the first one's turn), right after a commit.
    const pair = async (log: LocalDecisionLog, prefix: string) => {
      await record(log, `${prefix}-a`);
      const commits = log.stats.commits;
      const first = record(log, `${prefix}-b`);
      await new Promise((r) => setImmediate(r));
      await Promise.all([first, record(log, `${prefix}-c`)]);
      return log.stats.commits - commits;
    };
    expect(await pair(new LocalDecisionLog(p.db, { commitWindowMs: 100, busyGapMs: 60_000 }), "window")).toBe(1);
    expect(await pair(new LocalDecisionLog(p.db, { commitWindowMs: 0 }), "no-window")).toBe(2);
    // Idle (the last commit long ago): no wait even with a window.
    expect(await pair(new LocalDecisionLog(p.db, { commitWindowMs: 100, busyGapMs: 0 }), "idle")).toBe(2);
  });

  it("group commit: a write lock held longer than the wait allowed fails the batch as unavailable, nothing written", async () => {
    const p = await seeded();
    const log = new LocalDecisionLog(p.db, { lockWaitMs: 50 });
    const other = new Database(p.db.name);
    other.exec("BEGIN IMMEDIATE");
    const before = counts(p);
    const tx = parsedUsual("held");
    const ruleset = await p.scoring.ruleset();
    const score = (profile: Parameters<typeof decide>[0]["profile"]) => ({ ...decide({ tx, profile, ruleset, lists: [], settings: defaultSettings, decidedAt: NOW.toISOString() }), latency_ms: 1 });
    const result = await log.record(tx, "fp", score).catch((e: unknown) => e);
    expect((result as Error).name).toBe("UnavailableError");
    expect(String((result as Error).cause)).toContain("write lock held by another process");
    other.exec("ROLLBACK");
    other.close();
    expect(counts(p)).toEqual(before);
    expect((await log.record(tx, "fp", score)).status).toBe("recorded");
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
    const actions = (p.db.prepare("SELECT action, entity_id, actor FROM audit_log WHERE entity = 'ruleset' ORDER BY id").all() as Array<{ action: string; entity_id: string; actor: string }>)
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

describe("list store", () => {
  it("an entry added blocks the next transaction; removed, it no longer does; both are in the audit log", async () => {
    const p = await seeded();
    const analyst = { id: "analyst-1" };
    const entry = await p.lists.add({ kind: "block", field: "device_id", value: "device_abc123", reason: "reported stolen" }, analyst);
    expect(entry).toMatchObject({ id: 1, kind: "block", expires_at: null, created_by: "analyst-1", created_at: NOW.toISOString() });
    expect(await p.lists.find([{ field: "device_id", value: "device_abc123" }])).toEqual([entry]);

    const blocked = await submitted(p, usual({ transaction_id: "t-1" }));
    expect([blocked.decision, blocked.score, blocked.list_match]).toEqual([
      "BLOCKED",
      100,
      { kind: "block", field: "device_id", value: "device_abc123", reason: "reported stolen", entry_id: entry.id },
    ]);

    await p.lists.remove(entry.id, analyst);
    expect(await p.lists.all()).toEqual([]);
    const approved = await submitted(p, usual({ transaction_id: "t-2", timestamp: at(-MINUTE) }));
    expect([approved.decision, approved.list_match]).toEqual(["APPROVED", null]);
    await expect(p.lists.remove(entry.id, analyst)).rejects.toMatchObject({ code: "LIST_ENTRY_NOT_FOUND" });

    const audit = p.db.prepare("SELECT actor, action, entity, entity_id, before, after FROM audit_log WHERE entity = 'list_entry' ORDER BY id").all() as Array<Record<string, string | null>>;
    expect(audit.map((r) => [r.actor, r.action, r.entity_id])).toEqual([
      ["analyst-1", "list.add", "1"],
      ["analyst-1", "list.remove", "1"],
    ]);
    expect(JSON.parse(audit[0]!.after!)).toEqual(entry);
    expect(JSON.parse(audit[1]!.before!)).toMatchObject({ value: "device_abc123", reason: "reported stolen" });
  });

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

    const strict = { ...DEMO_RULESET, rules: [...DEMO_RULESET.rules, { id: "BIG_PAYMENT", name: "Payment above 300", expression: "amount > 300.0", score: 80 }] };
    await dashboard.rules.saveDraft(RulesetContent.parse(strict), { id: "admin" });
    await dashboard.rules.publish(2, { id: "admin" });
    const next = await submitted(server, usual({ transaction_id: "t-published", amount: 400 }));
    expect(next.ruleset_version).toBe(2);
    expect(next.rules.map((r) => r.id)).toContain("BIG_PAYMENT");

    await dashboard.apiKeys.revoke(info.id, { id: "admin" });
    expect(await server.apiKeys.verify(key)).toBeUndefined();
  });

  it("refuses an entry without a reason", async () => {
    const p = await seeded();
    await expect(p.lists.add({ kind: "allow", field: "user_id", value: "user_001", reason: " " }, { id: "a" })).rejects.toThrow();
    expect(count(p, "lists")).toBe(0);
  });
});

describe("audit log", () => {
  it("rows cannot be updated or deleted", async () => {
    const p = await seeded();
    const rows = p.db.prepare("SELECT * FROM audit_log ORDER BY id").all();
    expect(rows.length).toBeGreaterThan(0);
    expect(() => p.db.prepare("UPDATE audit_log SET actor = 'someone else'").run()).toThrow("audit log entries cannot be changed");
    expect(() => p.db.prepare("DELETE FROM audit_log").run()).toThrow("audit log entries cannot be deleted");
    expect(p.db.prepare("SELECT * FROM audit_log ORDER BY id").all()).toEqual(rows);
  });
});

describe("OutboxWorker", () => {
  /** Four decisions over two days: two approved, one REVIEW (high-risk customer), one BLOCKED (takeover). */
  async function traffic(p: LocalPlatform): Promise<Record<string, Decision>> {
    const inputs: Record<string, TransactionInput> = {
      approved1: usual({ transaction_id: "a-1", amount: 120, timestamp: "2025-06-14T10:00:00Z" }),
      review: { transaction_id: "r-1", user_id: "user_002", amount: 40, merchant_id: "MERCH_TARGET", device_id: "device_xyz789", location: "Los Angeles, US", timestamp: "2025-06-14T18:00:00Z" },
      blocked: usual({ transaction_id: "b-1", amount: 7500, device_id: "device_unknown", location: "Lagos, NG", timestamp: "2025-06-15T09:00:00Z" }),
      approved2: { transaction_id: "a-2", user_id: "user_004", amount: 900, merchant_id: "MERCH_APPLE", device_id: "device_premium", location: "Miami, US", timestamp: "2025-06-15T10:00:00Z" },
    };
    const out: Record<string, Decision> = {};
    for (const [name, input] of Object.entries(inputs)) out[name] = await submitted(p, input);
    expect(Object.fromEntries(Object.entries(out).map(([k, d]) => [k, d.decision]))).toEqual({ approved1: "APPROVED", review: "REVIEW", blocked: "BLOCKED", approved2: "APPROVED" });
    return out;
  }

  it("the worker checkpoints the write-ahead log, so the server's commits need not", async () => {
    const p = openLocalPlatform({ dataDir: dirs.make(), settings: defaultSettings, clock: () => NOW, walAutocheckpointPages: 50_000 });
    opened.push(p);
    await seedDemo(p, NOW);
    expect(p.db.pragma("wal_autocheckpoint", { simple: true })).toBe(50_000);
    for (let i = 0; i < 300; i++) await submitted(p, usual({ transaction_id: `w-${i}`, user_id: `wal-${i}` }));
    const worker = new OutboxWorker(p.db, await openLake(p));
    // The log went past SQLite's default of 1,000 pages without a checkpoint; the worker copies all of it.
    const { log, checkpointed } = worker.checkpoint();
    expect(log).toBeGreaterThan(1_000);
    expect(checkpointed).toBe(log);
    expect(worker.checkpoint()).toEqual({ log, checkpointed: log });
  });

  it("stops at an outbox row that does not hold a decision, before writing alerts, metrics or the lake", async () => {
    const p = await seeded();
    await traffic(p);
    p.db.prepare("INSERT INTO outbox (transaction_id, payload, created_at) VALUES ('not-a-decision', '{\"hello\":1}', ?)").run(NOW.toISOString());
    const worker = new OutboxWorker(p.db, await openLake(p));
    expect(() => worker.stepAlertsAndMetrics()).toThrow(/does not hold a decision/);
    await expect(worker.stepLake(Date.now(), true)).rejects.toThrow(/does not hold a decision/);
    expect(worker.offset("alerts_metrics")).toBe(0);
    expect(worker.offset("lake")).toBe(0);
    expect(p.db.prepare("SELECT count(*) AS n FROM metrics_minute").get()).toEqual({ n: 0 });
  });

  it("says which outbox ids reached the lake in words that survive the logs' masking of phone numbers", async () => {
    const p = await seeded();
    // Ids far into a busy day: "7304-27396" would read as a phone number and be masked.
    p.db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', 7303)").run();
    await traffic(p);
    const lines: string[] = [];
    const worker = new OutboxWorker(p.db, await openLake(p), { log: (line) => lines.push(line) });
    await worker.drain();
    const wrote = lines.find((l) => l.includes("to the lake"));
    expect(wrote).toMatch(/^\[worker\] wrote \d+ record\(s\) to the lake \(outbox ids 7304 to \d{4,}\)$/);
    expect(maskPersonalData(wrote!)).toBe(wrote);
  });

  it("prunes only the outbox rows every consumer has processed, in chunks", async () => {
    const p = await seeded();
    const worker = new OutboxWorker(p.db, await openLake(p));
    const insert = p.db.prepare("INSERT INTO outbox (transaction_id, payload, created_at) VALUES (?, 'x', ?)");
    const ids = p.db.transaction(() => Array.from({ length: 4_500 }, (_, i) => Number(insert.run(`p-${i}`, NOW.toISOString()).lastInsertRowid)))();
    p.db.prepare("UPDATE consumer_offsets SET last_id = ? WHERE consumer = 'alerts_metrics'").run(ids[4_199]);
    p.db.prepare("UPDATE consumer_offsets SET last_id = ? WHERE consumer = 'lake'").run(ids[3_999]);
    expect(await worker.prune()).toBe(4_000);
    expect(p.db.prepare("SELECT min(id) AS first, count(*) AS n FROM outbox").get()).toEqual({ first: ids[4_000], n: 500 });
  });

  it("per-minute metrics, summed per minute and outcome before writing, equal the sum over every decision", async () => {
    const p = await seeded();
    await traffic(p);
    for (let i = 0; i < 30; i++) {
      await p.scoring.submit({ transaction_id: `m-${i}`, user_id: `mu-${i % 4}`, amount: 100 + i * 37, merchant_id: "MERCH_A", device_id: "d1", location: "Douala, CM" });
    }
    // Spread the decisions over three minutes (the platform's clock is fixed).
    p.db.prepare("UPDATE decisions SET data = json_set(data, '$.decided_at', strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(data, '$.decided_at'), '+' || (seq % 3) || ' minutes'))").run();
    const worker = new OutboxWorker(p.db, await openLake(p));
    while (worker.stepAlertsAndMetrics() > 0);
    const decisions = p.db.prepare<[], { data: string }>("SELECT data FROM decisions").all().map((r) => Decision.parse(JSON.parse(r.data)));
    const expected = new Map<string, { minute: string; decision: string; count: number; amount: number; score_sum: number; latency_sum: number; latency_max: number }>();
    for (const d of decisions) {
      const key = `${d.decided_at.slice(0, 16)}/${d.decision}`;
      const m = expected.get(key) ?? { minute: d.decided_at.slice(0, 16), decision: d.decision, count: 0, amount: 0, score_sum: 0, latency_sum: 0, latency_max: 0 };
      expected.set(key, { ...m, count: m.count + 1, amount: m.amount + d.transaction.amount, score_sum: m.score_sum + d.score, latency_sum: m.latency_sum + d.latency_ms, latency_max: Math.max(m.latency_max, d.latency_ms) });
    }
    const rows = p.db.prepare("SELECT * FROM metrics_minute ORDER BY minute, decision").all() as Array<{ latency_sum: number }>;
    const want = [...expected.values()].sort((a, b) => `${a.minute}${a.decision}`.localeCompare(`${b.minute}${b.decision}`));
    expect(rows.map((r) => ({ ...r, latency_sum: Math.round(r.latency_sum * 1e6) }))).toEqual(want.map((r) => ({ ...r, latency_sum: Math.round(r.latency_sum * 1e6) })));
    expect(new Set(want.map((r) => r.minute)).size).toBeGreaterThan(1);
    expect(new Set(want.map((r) => r.decision)).size).toBeGreaterThan(1);
  });

  it("drain writes alerts for REVIEW and BLOCKED only, per-minute metrics, and one Parquet row per decision", async () => {
    const p = await seeded();
    const decisions = await traffic(p);
    const worker = new OutboxWorker(p.db, await openLake(p));
    await worker.drain();

    const alerts = p.db.prepare("SELECT transaction_id, decision, score, rules, status FROM alerts ORDER BY transaction_id").all();
    expect(alerts).toEqual([
      { transaction_id: "b-1", decision: "BLOCKED", score: 100, rules: JSON.stringify(decisions.blocked!.rules.map((r) => r.id)), status: "open" },
      { transaction_id: "r-1", decision: "REVIEW", score: decisions.review!.score, rules: '["HIGH_RISK_CUSTOMER"]', status: "open" },
    ]);
    expect(p.db.prepare("SELECT minute, decision, count, amount FROM metrics_minute ORDER BY decision").all()).toEqual([
      { minute: "2025-06-15T12:00", decision: "APPROVED", count: 2, amount: 1020 },
      { minute: "2025-06-15T12:00", decision: "BLOCKED", count: 1, amount: 7500 },
      { minute: "2025-06-15T12:00", decision: "REVIEW", count: 1, amount: 40 },
    ]);

    expect(lakeFiles(p)).toEqual(["lake/raw/dt=2025-06-14/part-1-4.parquet", "lake/raw/dt=2025-06-15/part-1-4.parquet"]);
    expect(await lakeCount(p)).toBe(4);
    const described = await lake(p, (src) => `DESCRIBE SELECT * FROM ${src}`);
    expect(described.map((c) => c.column_name)).toEqual([...LAKE_COLUMNS.map((c) => c.name), "dt"]);
    const duckType = { string: "VARCHAR", double: "DOUBLE", bigint: "BIGINT", boolean: "BOOLEAN", timestamp: "TIMESTAMP", "array<string>": "VARCHAR[]" };
    expect(described.slice(0, -1).map((c) => c.column_type)).toEqual(LAKE_COLUMNS.map((c) => duckType[c.type]));

    const rows = await lake(p, (src) => `SELECT transaction_id, CAST(dt AS VARCHAR) AS dt, decision, score, amount, rules_fired, "timestamp" FROM ${src} ORDER BY "timestamp"`);
    expect(rows.map((r) => [r.transaction_id, r.dt, r.decision, Number(r.score), r.amount])).toEqual([
      ["a-1", "2025-06-14", "APPROVED", 0, 120],
      ["r-1", "2025-06-14", "REVIEW", decisions.review!.score, 40],
      ["b-1", "2025-06-15", "BLOCKED", 100, 7500],
      ["a-2", "2025-06-15", "APPROVED", 0, 900],
    ]);
    expect(rows[2]!.rules_fired).toEqual(decisions.blocked!.rules.map((r) => r.id));
    expect((rows[0]!.timestamp as Date).toISOString()).toBe("2025-06-14T10:00:00.000Z");
    expect(count(p, "outbox")).toBe(0);
  });

  it("draining again writes nothing new; a later decision is added once", async () => {
    const p = await seeded();
    await traffic(p);
    const worker = new OutboxWorker(p.db, await openLake(p));
    await worker.drain();
    const state = { files: lakeFiles(p), alerts: p.db.prepare("SELECT * FROM alerts").all(), metrics: p.db.prepare("SELECT * FROM metrics_minute").all() };
    await worker.drain();
    await new OutboxWorker(p.db, await openLake(p)).drain();
    expect({ files: lakeFiles(p), alerts: p.db.prepare("SELECT * FROM alerts").all(), metrics: p.db.prepare("SELECT * FROM metrics_minute").all() }).toEqual(state);
    expect(await lakeCount(p)).toBe(4);

    await submitted(p, usual({ transaction_id: "a-3", timestamp: at(-MINUTE) }));
    await worker.drain();
    expect(await lakeCount(p)).toBe(5);
    expect(count(p, "alerts")).toBe(2);
    expect(lakeFiles(p)).toContain("lake/raw/dt=2025-06-15/part-5-5.parquet");
  });

  it("the lake buffer fills as rows are read and is written when due; a failed append starts again from the lake's offset", async () => {
    const p = await seeded();
    await traffic(p);
    const writer = await openLake(p);
    const worker = new OutboxWorker(p.db, writer, { lakeFlushSeconds: 60, lakeFlushRecords: 1_000 });
    const t0 = Date.now();
    expect(await worker.stepLake(t0)).toBe(0);
    expect([writer.buffered, lakeFiles(p).length]).toEqual([4, 0]); // converted at once, written later

    await submitted(p, usual({ transaction_id: "a-3", timestamp: at(-MINUTE) }));
    const append = writer.append.bind(writer);
    writer.append = async (batch) => {
      await append(batch.slice(0, 1));
      throw new Error("append failed half way");
    };
    await expect(worker.stepLake(t0 + 1_000)).rejects.toThrow("append failed half way");
    expect(writer.buffered).toBe(0);
    writer.append = append;

    expect(await worker.stepLake(t0 + 2_000)).toBe(0);
    expect(writer.buffered).toBe(5);
    expect(await worker.stepLake(t0 + 62_000)).toBe(5);
    expect(writer.buffered).toBe(0);
    expect(lakeFiles(p)).toEqual(["lake/raw/dt=2025-06-14/part-1-5.parquet", "lake/raw/dt=2025-06-15/part-1-5.parquet"]);
    const perTransaction = await lake(p, (src) => `SELECT transaction_id, count(*) AS n FROM ${src} GROUP BY transaction_id ORDER BY transaction_id`);
    expect(perTransaction.map((r) => [r.transaction_id, Number(r.n)])).toEqual([["a-1", 1], ["a-2", 1], ["a-3", 1], ["b-1", 1], ["r-1", 1]]);
  });

  it("alerts and the lake read each outbox row once between them, and a row that arrives between the two steps is not missed", async () => {
    const p = await seeded();
    await traffic(p);
    const writer = await openLake(p);
    const worker = new OutboxWorker(p.db, writer, { lakeFlushSeconds: 60, lakeFlushRecords: 1_000 });
    let rowsRead = 0;
    const q = (worker as unknown as { q: { read: { all: (...a: number[]) => unknown[] } } }).q;
    const all = q.read.all.bind(q.read);
    q.read.all = (...a: number[]) => {
      const rows = all(...a);
      rowsRead += rows.length;
      return rows;
    };
    const t0 = Date.now();
    expect(worker.stepAlertsAndMetrics()).toBe(4);
    // A decision recorded between the alerts step and the lake step.
    await submitted(p, usual({ transaction_id: "a-3", timestamp: at(-MINUTE) }));
    expect(await worker.stepLake(t0)).toBe(0);
    // The lake step took the alerts step's four rows without reading them again, then read on
    // from there: five rows read from SQLite in all (nine if each step read for itself).
    expect([writer.buffered, rowsRead]).toEqual([5, 5]);
    expect(worker.stepAlertsAndMetrics()).toBe(1);
    expect(await worker.stepLake(t0 + 61_000)).toBe(5);
    const perTransaction = await lake(p, (src) => `SELECT transaction_id, count(*) AS n FROM ${src} GROUP BY transaction_id ORDER BY transaction_id`);
    expect(perTransaction.map((r) => [r.transaction_id, Number(r.n)])).toEqual([["a-1", 1], ["a-2", 1], ["a-3", 1], ["b-1", 1], ["r-1", 1]]);
    expect(count(p, "alerts")).toBe(2);
  });

  it("after a crash between the lake write and the offset update, each transaction is in the lake exactly once", async () => {
    const p = await seeded();
    await traffic(p);
    const lakeWriter = await openLake(p);
    await new OutboxWorker(p.db, lakeWriter).drain();
    expect(await lakeCount(p)).toBe(4);

    // Two more decisions; a worker writes them to the lake and dies before recording its offset.
    await submitted(p, usual({ transaction_id: "c-1", timestamp: at(-2 * MINUTE) }));
    await submitted(p, { transaction_id: "c-2", user_id: "user_005", amount: 80, merchant_id: "MERCH_TARGET", device_id: "device_normal", location: "Seattle, US", timestamp: "2025-06-14T23:00:00Z" });
    const pending = p.db.prepare("SELECT o.id, o.transaction_id, CASE WHEN o.payload = '' THEN d.data ELSE o.payload END AS payload FROM outbox o JOIN decisions d USING (transaction_id) ORDER BY o.id").all() as Array<{ id: number; payload: string }>;
    expect(pending.map((r) => r.id)).toEqual([5, 6]);
    const written = await lakeWriter.write(pending.map((r) => toLakeRecord(Decision.parse(JSON.parse(r.payload)))), 5, 6);
    expect(written).toHaveLength(2);
    // ... and a COPY that was cut short.
    writeFileSync(join(p.lakeDir, "raw", "dt=2025-06-15", "part-7-7.parquet.tmp"), "half a file");
    expect(await lakeCount(p)).toBe(6);

    const restarted = new OutboxWorker(p.db, await openLake(p));
    expect(lakeFiles(p)).toEqual(["lake/raw/dt=2025-06-14/part-1-4.parquet", "lake/raw/dt=2025-06-15/part-1-4.parquet"]);
    await restarted.drain();
    const perTransaction = await lake(p, (src) => `SELECT transaction_id, count(*) AS n FROM ${src} GROUP BY transaction_id ORDER BY transaction_id`);
    expect(perTransaction.map((r) => [r.transaction_id, Number(r.n)])).toEqual([
      ["a-1", 1], ["a-2", 1], ["b-1", 1], ["c-1", 1], ["c-2", 1], ["r-1", 1],
    ]);
    const files = lakeFiles(p);
    await restarted.drain();
    expect(lakeFiles(p)).toEqual(files);
    expect(await lakeCount(p)).toBe(6);
  });
});
