import type { NextRequest } from "next/server";
import { parseFilter, searchDecisions } from "@/server/decisions";
import { liveJson } from "@/server/live";

export const dynamic = "force-dynamic";

export function GET(request: NextRequest) {
  return liveJson((user) => searchDecisions(user, parseFilter(request.nextUrl.searchParams)));
}
