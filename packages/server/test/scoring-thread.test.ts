import { Demo, Errors, Settings } from "@fraud/core";
import { openLocalPlatform, storeHealth, type LocalPlatform } from "@fraud/core/local";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toDecisionBody } from "@fraud/api/ingest";
import { ScoringThread } from "../src/scoring-thread.ts";

const dir = mkdtempSync(join(tmpdir(), "fraud-thread-"));
let platform: LocalPlatform;
let thread: ScoringThread;
const crashes: Error[] = [];

beforeAll(async () => {
  platform = openLocalPlatform({ dataDir: dir, settings: Settings.defaultSettings });
  await Demo.seedDemo(platform, new Date());
  thread = new ScoringThread({ dataDir: dir, settings: Settings.defaultSettings, changesCheckMs: 0 }, (e) => crashes.push(e));
  await thread.ready();
});

afterAll(async () => {
  await thread.close();
  platform.close();
  rmSync(dir, { recursive: true, force: true });
});

const tx = { transaction_id: "thread-1", user_id: "thread_user", amount: 5_000, merchant_id: "M1", device_id: "d1", location: "Douala, CM" };
const bytes = (body: unknown) => Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
/** The thread's answer: its status and its JSON body, parsed. */
async function answer(t: ScoringThread, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const a = await t.answer(bytes(body));
  return { status: a.status, body: JSON.parse(Buffer.from(a.json).toString("utf8")) as Record<string, unknown> };
}

describe("scoring in its own thread", () => {
  it("records a decision once, on its own connection, and answers with the client's view of it", async () => {
    const first = await answer(thread, tx);
    expect(first.status).toBe(200);
    const stored = await platform.decisions.get("thread-1");
    expect(stored).toBeDefined();
    // The server's connection reads the same decision; the answer is the API's view of it, not the features.
    expect(first.body).toEqual(JSON.parse(JSON.stringify(toDecisionBody(stored!))));
    expect(first.body).not.toHaveProperty("features");
    expect((await platform.profiles.get("thread_user"))?.recent.length).toBe(1);

    const again = await answer(thread, tx);
    expect(again).toMatchObject({ status: 200, body: { transaction_id: "thread-1", duplicate: true, decision: first.body.decision } });
    expect(await answer(thread, { ...tx, amount: 7 })).toMatchObject({ status: 409, body: { error: { code: "DUPLICATE_TRANSACTION_ID" } } });
  });

  it("names every failing field of an invalid transaction, and refuses a body that is not JSON or not UTF-8, as the API does", async () => {
    const invalid = await answer(thread, { user_id: "", amount: -5, merchant_id: "M1" });
    expect(invalid.status).toBe(400);
    expect(Object.keys((invalid.body.error as { fields: object }).fields).sort()).toEqual(["amount", "user_id"]);
    expect(await answer(thread, "{not json")).toEqual({ status: 400, body: { error: { code: "INVALID_JSON", message: "the body is not valid JSON" } } });
    const latin1 = await thread.answer(Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));
    expect(latin1.status).toBe(400);
    expect(JSON.parse(Buffer.from(latin1.json).toString())).toMatchObject({ error: { code: "INVALID_ENCODING" } });
  });

  it("answers each of many concurrent transactions with its own decision, non-ASCII text intact", async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        answer(thread, { ...tx, transaction_id: `thread-many-${i}-é`, user_id: `thread_user_${i % 6}`, location: "Yaoundé, CM" }),
      ),
    );
    expect(results.map((r) => r.body.transaction_id)).toEqual(Array.from({ length: 60 }, (_, i) => `thread-many-${i}-é`));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(platform.decisions.count()).toBe(61);
  });

  it("fails with 'unavailable' (the API's 503) when another connection holds the write lock too long", async () => {
    const slow = new ScoringThread({ dataDir: dir, settings: Settings.defaultSettings }, (e) => crashes.push(e));
    await slow.ready();
    platform.db.exec("BEGIN IMMEDIATE");
    try {
      const locked = await answer(slow, { ...tx, transaction_id: "thread-locked" });
      expect(locked).toEqual({ status: 503, body: { error: { code: "UNAVAILABLE", message: "the service cannot record decisions right now; retry later" } } });
      // The server's health check hears of it.
      expect(performance.now() - storeHealth.lastUnavailableAt).toBeLessThan(5_000);
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
    const broken = new ScoringThread({ dataDir: notADir, settings: Settings.defaultSettings }, (e) => stopped.push(e));
    await expect(broken.ready()).rejects.toThrow();
    expect(stopped).toHaveLength(1);
  });

  it("reports a thread that stops by itself, and fails what it held as unavailable (503), not lost silently", async () => {
    const stopped: Error[] = [];
    const doomed = new ScoringThread({ dataDir: dir, settings: Settings.defaultSettings }, (e) => stopped.push(e));
    await doomed.ready();
    const held = doomed.answer(bytes({ ...tx, transaction_id: "thread-doomed" })).catch((e: unknown) => e);
    // A message the thread cannot read throws in it, as a bug would: the thread stops.
    (doomed as unknown as { worker: { postMessage(m: string): void } }).worker.postMessage("not a batch");
    expect(await held).toBeInstanceOf(Errors.UnavailableError);
    expect(stopped).toHaveLength(1);
    expect(await platform.decisions.get("thread-doomed")).toBeUndefined();
    // Later requests are refused at once, not left waiting.
    expect(await doomed.answer(bytes(tx)).catch((e: unknown) => e)).toBeInstanceOf(Errors.UnavailableError);
    await doomed.close(); // returns at once: nothing left to stop
  });

  it("never crashed while answering", () => expect(crashes).toEqual([]));
});
