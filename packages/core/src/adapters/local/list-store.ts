import type Database from "better-sqlite3";
import { VisibleError } from "../../errors.ts";
import { ListEntry, ListEntryInput, type ListField } from "../../lists.ts";
import type { Actor, ListStore } from "../../ports.ts";
import { audit, guardWrite, type Db } from "./sqlite.ts";

type Row = { id: number; kind: string; field: string; value: string; reason: string; expires_at: string | null; created_at: string; created_by: string };

export class LocalListStore implements ListStore {
  /** Read on every decision: one statement per number of keys, prepared once. */
  private readonly findMany = new Map<number, Database.Statement<string[], Row>>();

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {
  }

  async find(keys: ReadonlyArray<{ field: ListField; value: string }>): Promise<ListEntry[]> {
    const out: ListEntry[] = [];
    if (keys.length === 0) return out;
    let statement = this.findMany.get(keys.length);
    if (!statement) {
      statement = this.db.prepare<string[], Row>(
        `SELECT id, kind, field, value, reason, expires_at, created_at, created_by FROM lists
         WHERE removed_at IS NULL AND (field, value) IN (VALUES ${keys.map(() => "(?, ?)").join(", ")}) ORDER BY id`,
      );
      this.findMany.set(keys.length, statement);
    }
    for (const row of statement.all(...keys.flatMap((k) => [k.field, k.value]))) out.push(ListEntry.parse(row));
    return out;
  }

  async all(): Promise<ListEntry[]> {
    return this.db
      .prepare<[], Row>("SELECT id, kind, field, value, reason, expires_at, created_at, created_by FROM lists WHERE removed_at IS NULL ORDER BY id DESC")
      .all()
      .map((r) => ListEntry.parse(r));
  }

  async add(input: ListEntryInput, actor: Actor): Promise<ListEntry> {
    const parsed = ListEntryInput.safeParse(input);
    if (!parsed.success) {
      const fields: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) (fields[issue.path.join(".") || "_"] ??= []).push(issue.message);
      throw new VisibleError("INVALID_LIST_ENTRY", "the list entry is not valid", fields);
    }
    const e = parsed.data;
    const at = this.clock().toISOString();
    return guardWrite(() =>
      this.db.transaction(() => {
        const { lastInsertRowid } = this.db
          .prepare("INSERT INTO lists (kind, field, value, reason, expires_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)")
          .run(e.kind, e.field, e.value, e.reason, e.expires_at, at, actor.id);
        const entry = ListEntry.parse({ ...e, id: Number(lastInsertRowid), created_at: at, created_by: actor.id });
        audit(this.db, { at, actor: actor.id, action: "list.add", entity: "list_entry", entity_id: String(entry.id), after: entry });
        return entry;
      }).immediate(),
    );
  }

  async remove(id: number, actor: Actor): Promise<void> {
    const at = this.clock().toISOString();
    guardWrite(() =>
      this.db.transaction(() => {
        const row = this.db.prepare<[number], Row>("SELECT id, kind, field, value, reason, expires_at, created_at, created_by FROM lists WHERE id = ? AND removed_at IS NULL").get(id);
        if (!row) throw new VisibleError("LIST_ENTRY_NOT_FOUND", `no list entry ${id}`);
        this.db.prepare("UPDATE lists SET removed_at = ? WHERE id = ?").run(at, id);
        audit(this.db, { at, actor: actor.id, action: "list.remove", entity: "list_entry", entity_id: String(id), before: row });
      }).immediate(),
    );
  }
}
