import "server-only";
import type { AuditEntry, AuditQuery, User } from "@fraud/core";
import { maskDeep, personalData } from "./personal-data";
import { platform } from "./runtime";

/** Audit entries, with the changed values and the entity (a profile's is its customer id) as `user` may see them. */
export async function auditEntries(user: User, query: AuditQuery): Promise<AuditEntry[]> {
  return maskDeep(await (await platform()).auditTrail.list(query), personalData(user));
}
