import { describe, expect, it } from "vitest";
import { count, localPlatforms, submitted, usual } from "./local-platform-support.ts";
import { at, MINUTE, NOW } from "./support.ts";

const { seeded } = localPlatforms();

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

    const audit = p.db.prepare("SELECT actor, action, entity, entity_id, before, after FROM audit_log WHERE entity = 'list_entry' ORDER BY id").all() as Array<
      Record<string, string | null>
    >;
    expect(audit.map((r) => [r.actor, r.action, r.entity_id])).toEqual([
      ["analyst-1", "list.add", "1"],
      ["analyst-1", "list.remove", "1"],
    ]);
    expect(JSON.parse(audit[0]!.after!)).toEqual(entry);
    expect(JSON.parse(audit[1]!.before!)).toMatchObject({ value: "device_abc123", reason: "reported stolen" });
  });

  it("refuses an entry without a reason", async () => {
    const p = await seeded();
    await expect(p.lists.add({ kind: "allow", field: "user_id", value: "user_001", reason: " " }, { id: "a" })).rejects.toThrow();
    expect(count(p, "lists")).toBe(0);
  });
});
