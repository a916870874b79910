import { NextResponse, type NextRequest } from "next/server";

/**
 * An optimistic check only: a visitor without a session cookie goes to the sign-in page. Pages,
 * server actions and route handlers check the session and the role themselves.
 */
export function proxy(request: NextRequest) {
  if (request.cookies.has("fraud_session")) return NextResponse.next();
  const url = request.nextUrl.clone();
  const next = `${url.pathname}${url.search}`;
  url.pathname = "/login";
  url.search = next === "/" ? "" : `?next=${encodeURIComponent(next)}`;
  return NextResponse.redirect(url);
}

export const config = {
  matcher: ["/((?!login|live/|_next/|favicon\\.ico|api/).*)"],
};
