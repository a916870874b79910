import "server-only";
import type { Monitoring, User } from "@fraud/core";
import { maskDeep, personalData } from "./personal-data";
import { platform } from "./runtime";

/** The alert inbox, customers as `user` may see them. */
export async function alertInbox(user: User.User, query: { status?: Monitoring.AlertStatus; limit?: number }): Promise<Monitoring.Alert[]> {
  return maskDeep(await (await platform()).alerts.list(query), personalData(user));
}
