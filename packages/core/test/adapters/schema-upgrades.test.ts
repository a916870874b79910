import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  databaseFile,
  latestSchemaVersion,
  migrate,
  openDatabase,
  openLocalPlatform,
  SchemaTooNewError,
  type Db,
  type LocalPlatform,
} from "../../src/adapters/local/index.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { NOW, tempDirs } from "../support.ts";
import { buildSchemaDonor } from "./fixtures/schema-donor.ts";

const dirs = tempDirs();
let donorFile: string;
/** What the platform reads back from the donor: the upgraded databases must give the same. */
let donorView: Awaited<ReturnType<typeof view>>;

const SchemaRow = z.object({ type: z.string(), name: z.string(), tbl_name: z.string(), sql: z.string().nullable() });
const schema = (db: Db) => z.array(SchemaRow).parse(db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid").all());
const tables = (db: Db, schemaName = "main") =>
  z
    .array(z.object({ name: z.string() }))
    .parse(db.prepare(`SELECT name FROM ${schemaName}.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid`).all())
    .map((t) => t.name);
const columns = (db: Db, table: string, schemaName = "main") =>
  z
    .array(z.object({ name: z.string() }))
    .parse(db.prepare(`SELECT name FROM pragma_table_info(?, ?)`).all(table, schemaName))
    .map((c) => c.name);
const columnDefaults = (db: Db, table: string) =>
  z.array(z.object({ name: z.string(), dflt_value: z.string().nullable() })).parse(db.prepare(`SELECT name, dflt_value FROM pragma_table_info(?)`).all(table));
const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(", ");
const rows = (db: Db, table: string, cols: readonly string[], schemaName = "main") =>
  db.prepare(`SELECT ${quoted(cols)} FROM ${schemaName}."${table}" ORDER BY ${quoted(cols)}`).all();

/** What the risk team sees of the donor's data, read by the current code. */
async function view(p: LocalPlatform, version: number) {
  return {
    decision: await p.decisions.get("donor-suspicious"),
    transfer: await p.decisions.get("donor-transfer"),
    profile: await p.profiles.get("user_001"),
    lists: await p.lists.all(),
    keys: await p.apiKeys.list(),
    ...(version >= 2 ? { analyst: await p.users.byUsername("ana"), case: await p.reviews.get("donor-suspicious") } : {}),
    ...(version >= 8 ? { test: await p.testDecisions.get("donor-test") } : {}),
  };
}

beforeAll(async () => {
  const dir = dirs.make("fraud-schema-donor-");
  const donor = await buildSchemaDonor(dir);
  donorView = await view(donor, latestSchemaVersion());
  donor.close();
  donorFile = databaseFile(dir);
}, 60_000);
afterAll(() => dirs.cleanup());

/** A data directory whose database is at schema `version`, holding the donor's rows in the columns that version had. */
function databaseAt(version: number): string {
  const dir = dirs.make("fraud-schema-v");
  const db = new Database(databaseFile(dir));
  try {
    migrate(db, version);
    db.prepare("ATTACH DATABASE ? AS donor").run(donorFile);
    db.transaction(() => {
      // Parents before children (tables in the order the migrations created them); kv last and
      // replacing, since migrations and triggers write version keys of their own into it.
      const ordered = tables(db).sort((a, b) => Number(a === "kv") - Number(b === "kv"));
      for (const table of ordered) {
        const cols = columns(db, table);
        db.exec(`INSERT ${table === "kv" ? "OR REPLACE " : ""}INTO main."${table}" (${quoted(cols)}) SELECT ${quoted(cols)} FROM donor."${table}"`);
      }
    })();
    db.exec("DETACH DATABASE donor");
  } finally {
    db.close();
  }
  return dir;
}

describe("a database from every earlier schema version", () => {
  it("has donor rows in every table of the latest schema, so that each version's fixture holds data", () => {
    const donor = new Database(donorFile, { readonly: true });
    try {
      const empty = tables(donor).filter((t) => (donor.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n === 0);
      expect(empty).toEqual([]);
    } finally {
      donor.close();
    }
  });

  const earlier = Array.from({ length: latestSchemaVersion() - 1 }, (_, i) => i + 1);
  it.each(earlier)("upgrades from schema version %i: the rows survive and the schema is a fresh database's", async (version) => {
    const dir = databaseAt(version);
    const before = new Database(databaseFile(dir), { readonly: true });
    const held = Object.fromEntries(tables(before).map((t) => [t, columns(before, t)]));
    before.close();

    const db = openDatabase(databaseFile(dir));
    const fresh = openDatabase(":memory:");
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(latestSchemaVersion());
      expect(schema(db)).toEqual(schema(fresh));
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(db.pragma("foreign_key_check")).toEqual([]);
      db.prepare("ATTACH DATABASE ? AS donor").run(donorFile);
      for (const [table, cols] of Object.entries(held)) {
        // Migration 005 ends the sessions of earlier versions by design: their users sign in again.
        const expected = table === "sessions" && version < 5 ? [] : rows(db, table, cols, "donor");
        expect({ table, rows: rows(db, table, cols) }).toEqual({ table, rows: expected });
        // A column a later migration added holds its declared default in the rows from before.
        for (const { name, dflt_value } of columnDefaults(db, table).filter((c) => !cols.includes(c.name))) {
          const value = dflt_value === null ? null : db.prepare(`SELECT ${dflt_value} AS v`).pluck().get();
          const values = db.prepare(`SELECT DISTINCT "${name}" FROM "${table}"`).pluck().all();
          expect({ table, name, values }).toEqual({ table, name, values: values.length ? [value] : [] });
        }
      }
      for (const table of tables(db).filter((t) => !(t in held))) expect({ table, n: rows(db, table, columns(db, table)).length }).toEqual({ table, n: 0 });
    } finally {
      db.close();
      fresh.close();
    }

    // The current code reads the upgraded rows as it reads its own, and goes on writing.
    const p = openLocalPlatform({ dataDir: dir, settings: defaultSettings, clock: () => NOW });
    try {
      const seen = await view(p, version);
      const expected = Object.fromEntries(Object.entries(donorView).filter(([k]) => k in seen));
      expect(seen).toEqual(expected);
      const next = await p.scoring.submit({
        transaction_id: "after-upgrade",
        user_id: "user_001",
        amount: 130,
        merchant_id: "MERCH_AMAZON",
        device_id: "device_abc123",
      });
      expect(next.status).toBe("recorded");
      const profile = await p.profiles.get("user_001");
      expect(profile?.recent.length).toBe((donorView.profile?.recent.length ?? 0) + 1);
    } finally {
      p.close();
    }
  });
});

describe("a database from a newer release", () => {
  it("is refused with the versions named, and left as it was", () => {
    const dir = dirs.make("fraud-schema-newer-");
    const file = databaseFile(dir);
    const db = openDatabase(file);
    const newer = latestSchemaVersion() + 1;
    db.pragma(`user_version = ${newer}`);
    const schemaBefore = schema(db);
    db.close();

    expect(() => openDatabase(file)).toThrow(SchemaTooNewError);
    expect(() => openDatabase(file)).toThrow(`schema version ${newer}, newer than this release knows (${latestSchemaVersion()})`);
    expect(() => openLocalPlatform({ dataDir: dir, settings: defaultSettings })).toThrow(SchemaTooNewError);

    const after = new Database(file, { readonly: true });
    try {
      expect(after.pragma("user_version", { simple: true })).toBe(newer);
      expect(schema(after)).toEqual(schemaBefore);
    } finally {
      after.close();
    }
  });
});
