import "server-only";
import type { Review, User } from "@fraud/core";
import { maskDeep, personalData } from "./personal-data";
import { platform } from "./runtime";

/** The review queue, customers as `user` may see them. */
export async function reviewQueue(user: User.User, query: Review.CaseQuery): Promise<Review.Case[]> {
  return maskDeep(await (await platform()).reviews.queue(query), personalData(user));
}
