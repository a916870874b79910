import { databaseFile, latestSchemaVersion, openDatabase } from "@fraud/core/local";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../src/index.ts";

const root = mkdtempSync(join(tmpdir(), "fraud-backup-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs the CLI in this process; what it printed on each stream. */
async function fraud(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, "error").mockImplementation((line: string) => void err.push(line));
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, out: out.join("\n"), err: err.join("\n") };
}

function dataDirWithDatabase(name: string, schemaVersion?: number): string {
  const dir = join(root, name);
  const db = openDatabase(databaseFile(dir));
  if (schemaVersion !== undefined) db.pragma(`user_version = ${schemaVersion}`);
  db.close();
  return dir;
}

describe("npm run fraud -- backup / restore", () => {
  it("backs up and restores, then refuses to restore over the restored data", async () => {
    const dataDir = dataDirWithDatabase("data");
    const backup = await fraud("backup", "--data-dir", dataDir, "--out", join(root, "backup"));
    expect(backup).toMatchObject({ code: 0 });
    expect(backup.out).toContain(`[backup] complete: ${join(root, "backup")}`);
    const restored = join(root, "restored");
    expect(await fraud("restore", join(root, "backup"), "--data-dir", restored)).toMatchObject({ code: 0 });
    expect(existsSync(databaseFile(restored))).toBe(true);
    const again = await fraud("restore", join(root, "backup"), "--data-dir", restored);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^error: .* is not empty: .* \(TARGET_NOT_EMPTY\)$/);
  });

  it("says what is wrong in one line, and exits 1 for a backup that cannot be made, 2 for a command without its directory", async () => {
    const dataDir = dataDirWithDatabase("data-2");
    const used = join(root, "used");
    mkdirSync(used);
    writeFileSync(join(used, "keep.txt"), "");
    const refused = await fraud("backup", "--data-dir", dataDir, "--out", used);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(`error: ${used} exists and is not an empty directory: choose a new or empty one (TARGET_NOT_EMPTY)`);
    expect((await fraud("backup", "--data-dir", dataDir)).code).toBe(2);
    expect((await fraud("restore", "--data-dir", dataDir)).code).toBe(2);
  });

  it("refuses a data directory from a newer release with the versions named, not a stack trace", async () => {
    const newer = dataDirWithDatabase("newer", latestSchemaVersion() + 1);
    const r = await fraud("compact", "--data-dir", newer);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`has schema version ${latestSchemaVersion() + 1}, newer than this release knows (${latestSchemaVersion()})`);
    expect(r.err.split("\n")).toHaveLength(1);
  });
});
