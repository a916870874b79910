import { Settings } from "@fraud/core";
import { openLocalPlatform } from "@fraud/core/local";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BackgroundFlush } from "../src/background-flush.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "flush-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A flush that finishes only when the test says so, recording which descriptor it was given. */
function heldSync() {
  const calls: Array<{ fd: number; finish: (error?: NodeJS.ErrnoException) => void }> = [];
  const sync = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => calls.push({ fd, finish: (error) => done(error ?? null) });
  return { calls, sync };
}

function file(): string {
  const path = join(tempDir(), "fraud.db");
  writeFileSync(path, "pages");
  return path;
}

describe("BackgroundFlush", () => {
  it("flushes at most once per interval while there is work, and never two at once", () => {
    const { calls, sync } = heldSync();
    const flush = new BackgroundFlush(file(), { everyMs: 100, sync });
    flush.afterWork(1_000);
    expect(calls).toHaveLength(1);
    flush.afterWork(1_050); // too soon, and the first one is still running
    flush.afterWork(1_200); // due, but the first one is still running
    expect(calls).toHaveLength(1);
    calls[0]!.finish();
    flush.afterWork(1_250); // 250 ms after the last start: due
    expect(calls).toHaveLength(2);
    calls[1]!.finish();
    flush.afterWork(1_300); // 50 ms after the last start
    expect(calls).toHaveLength(2);
    expect(calls[1]!.fd).toBe(calls[0]!.fd); // one descriptor, opened once
    expect(flush.stats).toEqual({ flushes: 2, failures: 0 });
  });

  it("says when flushing fails, once until it works again, and goes on trying", () => {
    const { calls, sync } = heldSync();
    const lines: string[] = [];
    const flush = new BackgroundFlush(file(), { everyMs: 100, sync, log: (line) => lines.push(line) });
    const eio = Object.assign(new Error("i/o error"), { code: "EIO" });
    for (const [i, at] of [0, 100, 200, 300, 400].entries()) {
      flush.afterWork(at);
      calls[i]!.finish(i === 2 ? undefined : eio);
    }
    expect(calls).toHaveLength(5);
    expect(flush.stats).toEqual({ flushes: 5, failures: 4 });
    // Failed, failed (not repeated), worked, failed (said again), failed.
    expect(lines).toEqual([
      "could not flush the database file to disk in the background (EIO); SQLite's own flushes still decide what is durable",
      "could not flush the database file to disk in the background (EIO); SQLite's own flushes still decide what is durable",
    ]);
  });

  it("reports a file it cannot open the same way, without throwing", () => {
    const lines: string[] = [];
    const flush = new BackgroundFlush(join(tempDir(), "missing.db"), { log: (line) => lines.push(line) });
    expect(() => flush.afterWork()).not.toThrow();
    expect(flush.stats.failures).toBe(1);
    expect(lines[0]).toContain("(ENOENT)");
  });

  it("waits for the flush under way before closing, and flushes nothing after", async () => {
    const { calls, sync } = heldSync();
    const flush = new BackgroundFlush(file(), { everyMs: 100, sync });
    flush.afterWork(0);
    let closed = false;
    const closing = flush.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(false);
    calls[0]!.finish();
    await closing;
    expect(closed).toBe(true);
    flush.afterWork(1_000);
    expect(calls).toHaveLength(1);
  });

  it("flushes a real database file with the system's fdatasync, beside SQLite's own connection", async () => {
    const dataDir = tempDir();
    const platform = openLocalPlatform({ dataDir, settings: Settings.defaultSettings });
    const path = platform.db.name;
    platform.db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    platform.db.pragma("wal_checkpoint(PASSIVE)");
    const flush = new BackgroundFlush(path, { everyMs: 0 });
    flush.afterWork();
    await flush.close();
    expect(flush.stats).toEqual({ flushes: 1, failures: 0 });
    // SQLite's connection still works after the flush, and holds its data.
    expect(platform.db.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 1 });
    platform.close();
    const reopened = new Database(path, { readonly: true });
    expect(reopened.prepare("SELECT x FROM t").pluck().get()).toBe(1);
    reopened.close();
  });
});
