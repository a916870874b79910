import "server-only";
import type { List, User } from "@fraud/core";
import { maskDeep, personalData } from "./personal-data";
import { platform } from "./runtime";

/** Every allow and block list entry; the values (customer ids, phone numbers, emails) and reasons as `user` may see them. */
export async function listEntries(user: User.User): Promise<List.ListEntry[]> {
  return maskDeep(await (await platform()).lists.all(), personalData(user));
}
