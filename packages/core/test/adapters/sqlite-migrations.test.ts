import Database from "better-sqlite3";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { migrate, migrationScripts, openDatabase, readMigrations, type Db } from "../../src/adapters/local/sqlite.ts";

// The schema after each migration (index = user_version), as SQLite records it in sqlite_schema.
const SchemaRow = z.object({ type: z.string(), name: z.string(), tbl_name: z.string(), sql: z.string().nullable() });
const Snapshot = z.object({ user_version: z.number(), schema: z.array(SchemaRow) });
const expected = z.array(Snapshot).parse(JSON.parse(readFileSync(new URL("./fixtures/sqlite-schema.json", import.meta.url), "utf8")));
const latest = expected.at(-1)!;

const snapshot = (db: Db) =>
  Snapshot.parse({
    user_version: db.pragma("user_version", { simple: true }),
    schema: db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid").all(),
  });

const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), "fraud-migrations-"));
  dirs.push(d);
  return d;
};
const databaseFile = () => join(freshDir(), "fraud.db");
const opened: Db[] = [];
const open = (file: string) => {
  const db = openDatabase(file);
  opened.push(db);
  return db;
};
afterEach(() => {
  opened.splice(0).forEach((db) => db.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe("the embedded database's migrations", () => {
  it("are all in the schema fixture, one user_version each", () => {
    expect(migrationScripts().length).toBe(latest.user_version);
    expect(expected.map((s) => s.user_version)).toEqual(expected.map((_, i) => i));
  });

  it("give a new database the schema, byte for byte", () => {
    expect(snapshot(open(databaseFile()))).toEqual(latest);
    expect(snapshot(open(":memory:"))).toEqual(latest);
  });

  it("reach each intermediate schema, one migration at a time", () => {
    const db = new Database(":memory:");
    try {
      for (const step of expected) {
        migrate(db, step.user_version);
        expect(snapshot(db)).toEqual(step);
      }
    } finally {
      db.close();
    }
  });

  it.each(expected.slice(0, -1).map((s) => s.user_version))("bring a database at user_version %i to the latest schema, keeping its rows", (version) => {
    const file = databaseFile();
    const old = new Database(file);
    migrate(old, version);
    if (version >= 1) {
      old.prepare("INSERT INTO profiles (user_id, email, risk_level, updated_at, data) VALUES ('u1', NULL, 'low', '2025-06-15T12:00:00.000Z', '{}')").run();
    }
    old.close();

    const db = open(file);
    expect(snapshot(db)).toEqual(latest);
    expect(db.prepare("SELECT user_id FROM profiles").all()).toEqual(version >= 1 ? [{ user_id: "u1" }] : []);
    // Opening it again applies nothing more.
    db.close();
    opened.splice(opened.indexOf(db), 1);
    expect(snapshot(open(file))).toEqual(latest);
  });

  it("are refused when a file is out of sequence, so no database is migrated past a missing step", () => {
    const gap = freshDir();
    writeFileSync(join(gap, "001-first.sql"), "CREATE TABLE a (x TEXT) STRICT;\n");
    writeFileSync(join(gap, "003-third.sql"), "CREATE TABLE c (x TEXT) STRICT;\n");
    expect(() => readMigrations(gap)).toThrow(/003-third\.sql is out of sequence/);

    const misnamed = freshDir();
    writeFileSync(join(misnamed, "001-first.sql"), "CREATE TABLE a (x TEXT) STRICT;\n");
    writeFileSync(join(misnamed, "2-second.sql"), "CREATE TABLE b (x TEXT) STRICT;\n");
    expect(() => readMigrations(misnamed)).toThrow(/out of sequence/);

    const ordered = freshDir();
    writeFileSync(join(ordered, "002-second.sql"), "two");
    writeFileSync(join(ordered, "001-first.sql"), "one");
    writeFileSync(join(ordered, "README.md"), "not a migration");
    expect(readMigrations(ordered)).toEqual(["one", "two"]);
  });
});
