import { Audit } from "../../audit/audit.ts";
import { invalidInput, VisibleError } from "../../errors/errors.ts";
import { ListEntry, ListEntryInput, type ListField } from "../../list/lists.ts";
import type { ListStore } from "../../platform/ports.ts";
import { audit, guardWrite, VersionedCache, type Db } from "./sqlite.ts";
import { type Actor } from "../../user/users.ts";

type Row = { id: number; kind: string; field: string; value: string; reason: string; expires_at: string | null; created_at: string; created_by: string };

export class LocalListStore implements ListStore {
  private readonly active;
  /** The active entries by field and value, read on every decision: reloaded only when the lists changed. */
  private readonly byKey: VersionedCache<Map<string, ListEntry[]>>;

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
    /** How often to check for changes made by another process (ms; 0: before every decision); changes made here apply at once. */
    checkEveryMs = 250,
  ) {
    this.active = db.prepare<[], Row>(
      "SELECT id, kind, field, value, reason, expires_at, created_at, created_by FROM lists WHERE removed_at IS NULL ORDER BY id",
    );
    this.byKey = new VersionedCache(db, "lists_version", () => this.load(), checkEveryMs);
  }

  async find(keys: ReadonlyArray<{ field: ListField; value: string }>): Promise<ListEntry[]> {
    const byKey = this.byKey.get();
    return keys.flatMap((k) => byKey.get(keyOf(k.field, k.value)) ?? []);
  }

  private load(): Map<string, ListEntry[]> {
    const byKey = new Map<string, ListEntry[]>();
    for (const row of this.active.all()) {
      const entry = ListEntry.parse(row);
      const key = keyOf(entry.field, entry.value);
      const entries = byKey.get(key);
      if (entries) entries.push(entry);
      else byKey.set(key, [entry]);
    }
    return byKey;
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
      throw invalidInput("INVALID_LIST_ENTRY", "the list entry is not valid", parsed.error);
    }
    const e = parsed.data;
    const at = this.clock().toISOString();
    return guardWrite(() =>
      this.db
        .transaction(() => {
          const { lastInsertRowid } = this.db
            .prepare("INSERT INTO lists (kind, field, value, reason, expires_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .run(e.kind, e.field, e.value, e.reason, e.expires_at, at, actor.id);
          const entry = ListEntry.parse({ ...e, id: Number(lastInsertRowid), created_at: at, created_by: actor.id });
          audit(this.db, Audit.listEntryAdded({ by: actor, at }, entry));
          this.byKey.invalidate();
          return entry;
        })
        .immediate(),
    );
  }

  async remove(id: number, actor: Actor): Promise<void> {
    const at = this.clock().toISOString();
    guardWrite(() =>
      this.db
        .transaction(() => {
          const row = this.db
            .prepare<[number], Row>("SELECT id, kind, field, value, reason, expires_at, created_at, created_by FROM lists WHERE id = ? AND removed_at IS NULL")
            .get(id);
          if (!row) throw new VisibleError("LIST_ENTRY_NOT_FOUND", `no list entry ${id}`);
          this.db.prepare("UPDATE lists SET removed_at = ? WHERE id = ?").run(at, id);
          audit(this.db, Audit.listEntryRemoved({ by: actor, at }, id, row));
          this.byKey.invalidate();
        })
        .immediate(),
    );
  }
}

function keyOf(field: string, value: string): string {
  return `${field}\u0000${value}`;
}
