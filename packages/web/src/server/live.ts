import "server-only";
import type { User } from "@fraud/core";
import { NextResponse } from "next/server";
import { currentUser } from "./auth";

/** Route handlers behind the dashboard's live widgets: signed-in users only, never cached; `load` shapes the data for the caller. */
export async function liveJson<T>(load: (user: User.User) => Promise<T>): Promise<Response> {
  const user = await currentUser();
  if (!user) return NextResponse.json({ error: "UNAUTHORIZED" }, { status: 401 });
  return NextResponse.json(await load(user), { headers: { "cache-control": "no-store" } });
}
