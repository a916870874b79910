import "server-only";
import type { Audit, User } from "@fraud/core";
import { maskDeep, personalData } from "./personal-data";
import { platform } from "./runtime";

/** Audit entries, with the changed values and the entity (a profile's is its customer id) as `user` may see them. */
export async function auditEntries(user: User.User, query: Audit.AuditQuery): Promise<Audit.AuditEntry[]> {
  return maskDeep(await (await platform()).auditTrail.list(query), personalData(user));
}
