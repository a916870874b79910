/**
 * Stands for this site's origin when a target is resolved: any origin of ours gives the same
 * answer, and the `.invalid` name (RFC 2606) can be no one's real site.
 */
const SITE = new URL("https://site.invalid/");

/**
 * A target a visitor asked to return to (`?next=`) as a path of this site, or `fallback`.
 *
 * The target is resolved as a browser would (WHATWG URL: tabs and newlines dropped, `\` read as
 * `/`, `.` and `..` segments removed) and kept only when its origin is still this site's. The path
 * returned is the resolved one, so what the browser follows is what was checked; one that a
 * browser would read as another host (`//host`) is refused whatever produced it.
 */
export function sameSitePath(target: unknown, fallback = "/"): string {
  if (typeof target !== "string" || target === "") return fallback;
  let url: URL;
  try {
    url = new URL(target, SITE);
  } catch {
    return fallback;
  }
  if (url.origin !== SITE.origin) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith("/") || path.startsWith("//") || new URL(path, SITE).origin !== SITE.origin) return fallback;
  return path;
}

/** The page where a user must choose a new password, then goes on to `next` (a checked path). */
export function passwordPage(next: string): string {
  return next === "/" ? "/password" : `/password?next=${encodeURIComponent(next)}`;
}
