import { defaultSettings, seedDemo, UnavailableError } from "@fraud/core";
import { openLocalPlatform, type LocalPlatform } from "@fraud/core/local";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScoringThread } from "../src/local/scoring-thread.ts";

const dir = mkdtempSync(join(tmpdir(), "fraud-thread-"));
let platform: LocalPlatform;
let thread: ScoringThread;
const crashes: Error[] = [];

beforeAll(async () => {
  platform = openLocalPlatform({ dataDir: dir, settings: defaultSettings });
  await seedDemo(platform, new Date());
  thread = new ScoringThread({ dataDir: dir, settings: defaultSettings, changesCheckMs: 0 }, (e) => crashes.push(e));
  await thread.ready();
});

afterAll(async () => {
  await thread.close();
  platform.close();
  rmSync(dir, { recursive: true, force: true });
});

const tx = { transaction_id: "thread-1", user_id: "thread_user", amount: 5_000, merchant_id: "M1", device_id: "d1", location: "Douala, CM" };

describe("scoring in its own thread", () => {
  it("records a decision once, on its own connection: the server's connection reads the same decision", async () => {
    const first = await thread.submit(tx);
    expect(first.status).toBe("recorded");
    if (first.status !== "recorded") return;
    expect(first.decision.transaction_id).toBe("thread-1");
    expect(await platform.decisions.get("thread-1")).toEqual(first.decision);
    expect((await platform.profiles.get("thread_user"))?.recent.length).toBe(1);

    const again = await thread.submit(tx);
    expect(again.status).toBe("duplicate");
    expect((await thread.submit({ ...tx, amount: 7 })).status).toBe("conflict");
  });

  it("names every failing field of an invalid transaction, as Scoring does", async () => {
    const invalid = await thread.submit({ user_id: "", amount: -5, merchant_id: "M1" });
    expect(invalid.status).toBe("invalid");
    if (invalid.status !== "invalid") return;
    expect(Object.keys(invalid.fields).sort()).toEqual(["amount", "user_id"]);
  });

  it("answers each of many concurrent transactions with its own decision", async () => {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => thread.submit({ ...tx, transaction_id: `thread-many-${i}`, user_id: `thread_user_${i % 6}` })));
    expect(results.map((r) => (r.status === "recorded" ? r.decision.transaction_id : r.status))).toEqual(Array.from({ length: 60 }, (_, i) => `thread-many-${i}`));
    expect(platform.decisions.count()).toBe(61);
  });

  it("fails with 'unavailable' (the API's 503) when another connection holds the write lock too long", async () => {
    const slow = new ScoringThread({ dataDir: dir, settings: defaultSettings }, (e) => crashes.push(e));
    await slow.ready();
    platform.db.exec("BEGIN IMMEDIATE");
    try {
      const error = await slow.submit({ ...tx, transaction_id: "thread-locked" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
    } finally {
      platform.db.exec("ROLLBACK");
      await slow.close();
    }
    expect(await platform.decisions.get("thread-locked")).toBeUndefined();
  }, 20_000);

  it("reports a thread that cannot open the data store instead of answering", async () => {
    const notADir = join(dir, "a-file");
    writeFileSync(notADir, "not a data directory");
    const stopped: Error[] = [];
    const broken = new ScoringThread({ dataDir: notADir, settings: defaultSettings }, (e) => stopped.push(e));
    await expect(broken.ready()).rejects.toThrow();
    expect(stopped).toHaveLength(1);
  });

  it("reports a thread that stops by itself, and fails what it held as unavailable (503), not lost silently", async () => {
    const stopped: Error[] = [];
    const doomed = new ScoringThread({ dataDir: dir, settings: defaultSettings }, (e) => stopped.push(e));
    await doomed.ready();
    const held = doomed.submit({ ...tx, transaction_id: "thread-doomed" }).catch((e: unknown) => e);
    // A message the thread cannot read throws in it, as a bug would: the thread stops.
    (doomed as unknown as { worker: { postMessage(m: string): void } }).worker.postMessage("not a batch");
    expect(await held).toBeInstanceOf(UnavailableError);
    expect(stopped).toHaveLength(1);
    expect(await platform.decisions.get("thread-doomed")).toBeUndefined();
    await doomed.close(); // returns at once: nothing left to stop
  });

  it("never crashed while answering", () => expect(crashes).toEqual([]));
});
