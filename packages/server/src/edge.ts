import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from "node:http";
import { BlockList, isIP, type Socket } from "node:net";

/**
 * Node's HTTP parser as strict as it goes, said here rather than left to defaults: it refuses
 * (400, connection closed) a Content-Length beside a Transfer-Encoding, duplicate or malformed
 * lengths, a Transfer-Encoding that does not end in chunked, obsolete line folding, bare CR or LF
 * as line ends and malformed chunk sizes, so that no two parsers can read one request as two. A
 * header sent twice is joined or cut to its first value by Node's own list (joinDuplicateHeaders
 * off: Authorization or Content-Type are never joined), and the forwarder sends each once, so the
 * dashboard reads the headers as this server read them. The Host header is checked by
 * framingProblem instead, which also drops whatever the client sent after a refused request.
 */
export const STRICT_HTTP: ServerOptions = { insecureHTTPParser: false, requireHostHeader: false, joinDuplicateHeaders: false };

/** A year: once a browser has reached the site over HTTPS, it refuses plain HTTP for it. */
export const HSTS = "max-age=31536000";

/** What the server believes about who sent a request and how: FRAUD_PUBLIC_URL and FRAUD_TRUSTED_PROXY. */
export interface EdgeSettings {
  /** The host (and port) of FRAUD_PUBLIC_URL, when set. */
  publicHost?: string;
  /** FRAUD_PUBLIC_URL is https: every request is taken as having come over HTTPS. */
  alwaysSecure: boolean;
  /** Reverse proxies whose X-Forwarded-* headers are believed; undefined when none is. */
  trustedProxies?: BlockList;
}

export function edgeSettings(e: { FRAUD_PUBLIC_URL?: string; FRAUD_TRUSTED_PROXY: string[] }): EdgeSettings {
  const publicUrl = e.FRAUD_PUBLIC_URL ? new URL(e.FRAUD_PUBLIC_URL) : undefined;
  let trustedProxies: BlockList | undefined;
  for (const entry of e.FRAUD_TRUSTED_PROXY) {
    trustedProxies ??= new BlockList();
    const [address = "", prefix] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) trustedProxies.addAddress(address, family);
    else trustedProxies.addSubnet(address, Number(prefix), family);
  }
  return { publicHost: publicUrl?.host, alwaysSecure: publicUrl?.protocol === "https:", trustedProxies };
}

/** Who sent a request and how, as far as this server can tell. */
export interface Sender {
  /** Reached over HTTPS: the public URL says so, or a trusted proxy does. */
  secure: boolean;
  /** The client's address: the peer's, or the one a trusted proxy names. */
  address: string;
  /** The host the client asked for: the public URL's, the one a trusted proxy names, or the Host header. */
  host: string;
}

function isTrusted(settings: EdgeSettings, address: string | undefined): boolean {
  if (!settings.trustedProxies || !address) return false;
  const family = isIP(address);
  return family !== 0 && settings.trustedProxies.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** The last value of a comma-separated header: the one the nearest proxy added. */
function lastValue(header: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(header) ? header.join(",") : header;
  const last = joined?.split(",").at(-1)?.trim();
  return last || undefined;
}

/** Whether a request came over HTTPS (cheap enough for every API call). */
export function isSecure(req: IncomingMessage, settings: EdgeSettings): boolean {
  if (settings.alwaysSecure) return true;
  const proto = req.headers["x-forwarded-proto"];
  return proto !== undefined && lastValue(proto)?.toLowerCase() === "https" && isTrusted(settings, req.socket.remoteAddress);
}

/**
 * Who sent a request. X-Forwarded-For, -Proto and -Host count only from a trusted proxy (the peer
 * address is in FRAUD_TRUSTED_PROXY); from anyone else they are ignored, whatever they say.
 */
export function senderOf(req: IncomingMessage, settings: EdgeSettings): Sender {
  const peer = req.socket.remoteAddress ?? "";
  if (!isTrusted(settings, peer)) return { secure: settings.alwaysSecure, address: peer, host: settings.publicHost ?? req.headers.host ?? "" };
  // The rightmost address that is not one of the trusted proxies is the client's.
  let address = peer;
  const chain = String(req.headers["x-forwarded-for"] ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  for (let i = chain.length - 1; i >= 0 && isIP(chain[i]!) !== 0; i--) {
    address = chain[i]!;
    if (!isTrusted(settings, address)) break;
  }
  return {
    secure: isSecure(req, settings),
    address,
    host: settings.publicHost ?? lastValue(req.headers["x-forwarded-host"]) ?? req.headers.host ?? "",
  };
}

/**
 * Why a request's framing or target is refused, beyond what Node's parser refuses itself: no Host
 * or more than one (RFC 9112, 3.2), a transfer coding other than chunked alone (this server decodes
 * no other) or any in HTTP/1.0 (RFC 9112, 6.1), and a target that is not a path (this server is no
 * proxy, and two readings of which host is meant are one too many).
 */
export function framingProblem(req: IncomingMessage): string | undefined {
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === "host") hosts += 1;
  }
  if (hosts > 1 || (hosts === 0 && req.httpVersion !== "1.0")) return "exactly one Host header is required";
  const coding = req.headers["transfer-encoding"];
  if (coding !== undefined && (req.httpVersion === "1.0" || coding.trim().toLowerCase() !== "chunked"))
    return "the only transfer coding accepted is chunked, in HTTP/1.1";
  if (!req.url?.startsWith("/")) return "the request target must be a path";
  return undefined;
}

/**
 * The server that owns the public port: Node's parser at its strictest, ambiguous framing refused,
 * and Strict-Transport-Security on every answer to a request that came over HTTPS.
 */
export function edgeServer(settings: EdgeSettings, handle: (req: IncomingMessage, res: ServerResponse) => void): Server {
  // Connections whose request was refused: what the client sent after it on them is not read as requests.
  const refused = new WeakSet<Socket>();
  const server = createServer(STRICT_HTTP, (req, res) => {
    if (refused.has(req.socket)) return;
    if (framingProblem(req)) {
      refused.add(req.socket);
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" }).end("Bad Request\n");
      return;
    }
    if (isSecure(req, settings)) res.setHeader("strict-transport-security", HSTS);
    handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
