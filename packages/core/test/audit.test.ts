import { describe, expect, it } from "vitest";
import { Audit } from "../src/audit/audit.ts";

const change = { by: { id: "admin" }, at: "2026-01-05T10:00:00.000Z" };

describe("the audit entry of each change", () => {
  it("records an account's role and whether it is disabled, not its other fields", () => {
    const before = { username: "ana", role: "analyst" as const, disabled_at: null };
    expect(Audit.userChanged(change, "user.disable", before, { ...before, disabled_at: change.at })).toEqual({
      at: change.at,
      actor: "admin",
      action: "user.disable",
      entity: "user",
      entity_id: "ana",
      before: { role: "analyst", disabled: false },
      after: { role: "analyst", disabled: true },
    });
  });

  it("names the shadow ruleset that was cleared, and no previous one when there was none", () => {
    expect(Audit.shadowSet(change, null, 4)).toMatchObject({ entity_id: "4", before: { shadow_version: 4 }, after: { shadow_version: null } });
    expect(Audit.shadowSet(change, 7, 0)).toMatchObject({ entity_id: "7", before: { shadow_version: null }, after: { shadow_version: 7 } });
  });

  it("tells a new report from a new version of a saved one", () => {
    const def = { name: "daily", description: "", sql: "SELECT 1", parameters: [] };
    expect(Audit.reportSaved(change, def as never, undefined)).toMatchObject({ action: "report.create", before: undefined, after: def });
    expect(Audit.reportSaved(change, def as never, { ...def, sql: "SELECT 2" })).toMatchObject({ action: "report.update", before: { sql: "SELECT 2" } });
  });

  it("keeps only the fields a profile edit changed", () => {
    const before = { user_id: "u1", email: "a@x.io", risk_level: "low" } as never;
    const after = { user_id: "u1", email: "b@x.io", risk_level: "low" } as never;
    expect(Audit.profileEdited(change, before, after, ["email"])).toMatchObject({ entity_id: "u1", before: { email: "a@x.io" }, after: { email: "b@x.io" } });
  });
});
