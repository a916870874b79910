import { describe, expect, it } from "vitest";
import { localPlatforms } from "./local-platform-support.ts";

const { seeded } = localPlatforms();

describe("audit log", () => {
  it("rows cannot be updated or deleted", async () => {
    const p = await seeded();
    const rows = p.db.prepare("SELECT * FROM audit_log ORDER BY id").all();
    expect(rows.length).toBeGreaterThan(0);
    expect(() => p.db.prepare("UPDATE audit_log SET actor = 'someone else'").run()).toThrow("audit log entries cannot be changed");
    expect(() => p.db.prepare("DELETE FROM audit_log").run()).toThrow("audit log entries cannot be deleted");
    expect(p.db.prepare("SELECT * FROM audit_log ORDER BY id").all()).toEqual(rows);
  });
});
