import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { LocalDecisionLog } from "../src/adapters/local/decision-log.ts";
import { decide } from "../src/decision/decision.ts";
import { defaultSettings } from "../src/settings/settings.ts";
import { parseTransaction } from "../src/transaction/transaction.ts";
import { counts, localPlatforms, parsedUsual, usual } from "./local-platform-support.ts";
import { at, HOUR, NOW } from "./support.ts";

const { seeded } = localPlatforms();

describe("group commit on the SQLite decision log", () => {
  it("decisions arriving together share one commit; scoring that throws fails that decision alone", async () => {
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

  it("a write that fails rolls the whole batch back, nothing half written", async () => {
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

  it("when the store cannot write (disk full), every decision of the batch fails and nothing is kept", async () => {
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
  it("while another process holds the write lock, decisions wait without stopping the event loop, then commit together", async () => {
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

  it("under load a commit waits its window for more decisions; one at a time, it does not wait", async () => {
    const p = await seeded();
    const tx = (id: string) => {
      const r = parseTransaction(usual({ transaction_id: id }), { settings: defaultSettings, now: NOW });
      if (!r.ok) throw new Error(id);
      return r.transaction;
    };
    const ruleset = await p.scoring.ruleset();
    const record = (log: LocalDecisionLog, id: string) => {
      const t = tx(id);
      return log.record(t, id, (profile) => ({
        ...decide({ tx: t, profile, ruleset, lists: [], settings: defaultSettings, decidedAt: NOW.toISOString() }),
        latency_ms: 1,
      }));
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

  it("a write lock held longer than the wait allowed fails the batch as unavailable, nothing written", async () => {
    const p = await seeded();
    const log = new LocalDecisionLog(p.db, { lockWaitMs: 50 });
    const other = new Database(p.db.name);
    other.exec("BEGIN IMMEDIATE");
    const before = counts(p);
    const tx = parsedUsual("held");
    const ruleset = await p.scoring.ruleset();
    const score = (profile: Parameters<typeof decide>[0]["profile"]) => ({
      ...decide({ tx, profile, ruleset, lists: [], settings: defaultSettings, decidedAt: NOW.toISOString() }),
      latency_ms: 1,
    });
    const result = await log.record(tx, "fp", score).catch((e: unknown) => e);
    expect((result as Error).name).toBe("UnavailableError");
    expect(String((result as Error).cause)).toContain("write lock held by another process");
    other.exec("ROLLBACK");
    other.close();
    expect(counts(p)).toEqual(before);
    expect((await log.record(tx, "fp", score)).status).toBe("recorded");
  });
});
