import { recentSample } from "@/server/overview";
import { liveJson } from "@/server/live";

export const dynamic = "force-dynamic";

export function GET() {
  return liveJson(() => recentSample());
}
