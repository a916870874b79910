import "server-only";
import type { Alert, AlertStatus, User } from "@fraud/core";
import { maskDeep, personalData } from "./personal-data";
import { platform } from "./runtime";

/** The alert inbox, customers as `user` may see them. */
export async function alertInbox(user: User, query: { status?: AlertStatus; limit?: number }): Promise<Alert[]> {
  return maskDeep(await (await platform()).alerts.list(query), personalData(user));
}
