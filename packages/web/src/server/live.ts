import "server-only";
import { NextResponse } from "next/server";
import { currentUser } from "./auth";

/** Route handlers behind the dashboard's live widgets: signed-in users only, never cached. */
export async function liveJson<T>(load: () => Promise<T>): Promise<Response> {
  if (!(await currentUser())) return NextResponse.json({ error: "UNAUTHORIZED" }, { status: 401 });
  return NextResponse.json(await load(), { headers: { "cache-control": "no-store" } });
}
