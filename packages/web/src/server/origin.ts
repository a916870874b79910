import "server-only";
import { Platform } from "@fraud/core";
import { headers } from "next/headers";

/*
 * The dashboard sits behind the server that owns the public port (packages/server/src/edge.ts),
 * which writes X-Forwarded-Proto and X-Forwarded-Host itself: what a browser sends in them never
 * arrives here, and a reverse proxy's are believed only from FRAUD_TRUSTED_PROXY.
 */

/** Whether this request reached the site over HTTPS: the session cookie is then Secure. */
export async function requestIsSecure(): Promise<boolean> {
  if (Platform.env().FRAUD_PUBLIC_URL?.startsWith("https:")) return true;
  return (await headers()).get("x-forwarded-proto") === "https";
}

/** The site's own origin as people reach it: FRAUD_PUBLIC_URL, or else this request's scheme and host. */
export async function publicOrigin(): Promise<string> {
  const configured = Platform.env().FRAUD_PUBLIC_URL;
  if (configured) return configured;
  const h = await headers();
  return `${(await requestIsSecure()) ? "https" : "http"}://${h.get("x-forwarded-host") ?? h.get("host") ?? "localhost"}`;
}
