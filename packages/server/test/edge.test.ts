import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { nodeListener } from "@fraud/api/node";
import { edgeServer, edgeSettings, type EdgeSettings } from "../src/edge.ts";
import { DASHBOARD_BODY_LIMIT_BYTES, forwardTo } from "../src/proxy.ts";
import { isApiPath } from "../src/server.ts";
import { TEST_KEY, testApp, type TestApp } from "../../api/test/helpers.ts";
import { exchange, get, postLarge } from "./raw-http.ts";

/*
 * The server's front as startServer composes it (edgeServer, the API on Node, the forwarder) in
 * front of a stand-in dashboard that records every request its own parser reads, so that a
 * request smuggled through the forwarder shows up as one more request there.
 */

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const seen: Seen[] = [];
const servers: Server[] = [];
let app: TestApp;
let dashboardPort: number;

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return (server.address() as { port: number }).port;
}

async function front(settings: EdgeSettings): Promise<number> {
  const api = nodeListener(app.api);
  const web = forwardTo({ port: () => dashboardPort, unavailable: "starting\n", edge: settings });
  return listen(edgeServer(settings, (req, res) => (isApiPath(req.url ?? "/") ? api(req, res) : web(req, res))));
}

beforeAll(async () => {
  app = await testApp();
  dashboardPort = await listen(
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
        res.end(`dashboard answers ${req.method} ${req.url}`);
      });
    }),
  );
});
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
  await app.cleanup();
});
beforeEach(() => {
  seen.length = 0;
});

/** An ordinary visitor's request after the attack: it must get its own page, and the dashboard must have read nothing else. */
async function victim(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/victim-page`)).text();
}

const smuggled = "GET /smuggled HTTP/1.1\r\nHost: app\r\n\r\n";
const chunk = (s: string) => `${Buffer.byteLength(s, "latin1").toString(16)}\r\n${s}\r\n`;
const request1 = (lines: string[]) => `${lines.join("\r\n")}\r\n\r\n`;

const OBFUSCATED_TE = [
  "Transfer-Encoding: xchunked",
  "Transfer-Encoding : chunked",
  "Transfer-Encoding: chunked\r\nTransfer-Encoding: x",
  "Transfer-Encoding: x\r\nTransfer-Encoding: chunked",
  "Transfer-Encoding:\x0bchunked",
  "Transfer-Encoding: chunked, identity",
  "Transfer-Encoding: identity",
  'Transfer-Encoding: "chunked"',
  "Transfer-Encoding:\r\n chunked",
  "X-Padding: a\r\n Transfer-Encoding: chunked",
  "X-Padding: a\nTransfer-Encoding: chunked",
];

/** Requests that two HTTP parsers could read differently: each must be refused whole. */
const AMBIGUOUS: Array<[string, string]> = [
  ["CL.TE", request1(["POST /form HTTP/1.1", "Host: app", `Content-Length: ${5 + smuggled.length}`, "Transfer-Encoding: chunked"]) + "0\r\n\r\n" + smuggled],
  ["TE.CL", request1(["POST /form HTTP/1.1", "Host: app", "Transfer-Encoding: chunked", "Content-Length: 4"]) + chunk(smuggled) + "0\r\n\r\n"],
  ...OBFUSCATED_TE.map((te): [string, string] => [
    `TE.TE, ${JSON.stringify(te)} with a Content-Length`,
    request1(["POST /form HTTP/1.1", "Host: app", "Content-Length: 4", te]) + chunk(smuggled) + "0\r\n\r\n",
  ]),
  ...OBFUSCATED_TE.map((te): [string, string] => [
    `TE.TE, ${JSON.stringify(te)} alone`,
    request1(["POST /form HTTP/1.1", "Host: app", te]) + chunk(smuggled) + "0\r\n\r\n",
  ]),
  [
    "two equal Content-Lengths",
    request1(["POST /form HTTP/1.1", "Host: app", `Content-Length: ${smuggled.length}`, `Content-Length: ${smuggled.length}`]) + smuggled,
  ],
  ["two different Content-Lengths", request1(["POST /form HTTP/1.1", "Host: app", "Content-Length: 0", `Content-Length: ${smuggled.length}`]) + smuggled],
  ...["+4", "-1", "0x4", "4 4", "4, 4", "4.0", "1e2", "99999999999999999999999", ""].map((cl): [string, string] => [
    `Content-Length ${JSON.stringify(cl)}`,
    request1(["POST /form HTTP/1.1", "Host: app", `Content-Length: ${cl}`]) + "abcd" + smuggled,
  ]),
  [
    "a GET with a Content-Length beside chunked",
    request1(["GET /page HTTP/1.1", "Host: app", "Content-Length: 0", "Transfer-Encoding: chunked"]) + chunk(smuggled) + "0\r\n\r\n",
  ],
  ["obsolete line folding", request1(["GET /page HTTP/1.1", "Host: app", "X-Note: a", " folded"]) + smuggled],
  ["bare LF line ends", "GET /page HTTP/1.1\nHost: app\n\n" + smuggled],
  ["a bare LF in the headers", "GET /page HTTP/1.1\r\nHost: app\nX-Note: a\r\n\r\n" + smuggled],
  ["a bare CR in the headers", "GET /page HTTP/1.1\r\nHost: app\rX-Note: a\r\n\r\n" + smuggled],
  [
    "a chunk size in 0x form",
    request1(["POST /form HTTP/1.1", "Host: app", "Transfer-Encoding: chunked"]) + `0x${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`,
  ],
  ["a negative chunk size", request1(["POST /form HTTP/1.1", "Host: app", "Transfer-Encoding: chunked"]) + `-1\r\n${smuggled}\r\n0\r\n\r\n`],
  [
    "a chunk size that overflows 64 bits",
    request1(["POST /form HTTP/1.1", "Host: app", "Transfer-Encoding: chunked"]) + `10000000000000001\r\n${smuggled}\r\n0\r\n\r\n`,
  ],
  [
    "a chunk size followed by a space",
    request1(["POST /form HTTP/1.1", "Host: app", "Transfer-Encoding: chunked"]) + `${smuggled.length.toString(16)} \r\n${smuggled}\r\n0\r\n\r\n`,
  ],
  ["a chunk longer than its size", request1(["POST /form HTTP/1.1", "Host: app", "Transfer-Encoding: chunked"]) + `2\r\nab${smuggled}\r\n0\r\n\r\n`],
  [
    "a chunk size ended by a bare LF",
    request1(["POST /form HTTP/1.1", "Host: app", "Transfer-Encoding: chunked"]) + `${smuggled.length.toString(16)}\n${smuggled}\r\n0\r\n\r\n`,
  ],
  ["two Host headers", request1(["GET /page HTTP/1.1", "Host: app", "Host: other"]) + smuggled],
  ["no Host header", request1(["GET /page HTTP/1.1"]) + smuggled],
  ["chunked in HTTP/1.0", request1(["POST /form HTTP/1.0", "Host: app", "Transfer-Encoding: chunked"]) + chunk(smuggled) + "0\r\n\r\n"],
  ["an absolute-form target", request1(["GET http://other/page HTTP/1.1", "Host: app"]) + smuggled],
];

/** Requests framed unambiguously whose bodies hold a request: forwarded as one request, the body as a body. */
const FRAMED: Array<[string, string, { method: string; url: string; body: string }]> = [
  [
    "a GET with a chunked body",
    request1(["GET /page HTTP/1.1", "Host: app", "Transfer-Encoding: chunked"]) + chunk(smuggled) + "0\r\n\r\n",
    { method: "GET", url: "/page", body: smuggled },
  ],
  [
    "a GET with a Content-Length body",
    request1(["GET /page HTTP/1.1", "Host: app", `Content-Length: ${smuggled.length}`]) + smuggled,
    { method: "GET", url: "/page", body: smuggled },
  ],
  [
    "a DELETE with a chunked body",
    request1(["DELETE /page HTTP/1.1", "Host: app", "Transfer-Encoding: chunked"]) + chunk(smuggled) + "0\r\n\r\n",
    { method: "DELETE", url: "/page", body: smuggled },
  ],
  [
    "a POST in several chunks, with an extension and a trailer",
    request1(["POST /form HTTP/1.1", "Host: app", "Transfer-Encoding: Chunked"]) +
      `${(5).toString(16)};name=value\r\nGET /\r\n` +
      chunk(smuggled.slice(5)) +
      "0\r\nX-Trailer: t\r\n\r\n",
    { method: "POST", url: "/form", body: smuggled },
  ],
  [
    "Transfer-Encoding after a tab",
    request1(["POST /form HTTP/1.1", "Host: app", "Transfer-Encoding:\tchunked"]) + chunk(smuggled) + "0\r\n\r\n",
    { method: "POST", url: "/form", body: smuggled },
  ],
];

describe("request smuggling through the dashboard forwarder", () => {
  let port: number;
  beforeAll(async () => {
    port = await front(edgeSettings({ FRAUD_TRUSTED_PROXY: [] }));
  });

  it.each(AMBIGUOUS)("refuses %s with a 400 and closes; the dashboard reads no request", async (_name, raw) => {
    const answers = await exchange(port, raw, 2);
    expect(answers.map((a) => a.status)).toEqual([400]);
    expect(await victim(port)).toBe("dashboard answers GET /victim-page");
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["GET /victim-page"]);
  });

  it.each(FRAMED)("forwards %s as one request with its body", async (_name, raw, expected) => {
    const answers = await exchange(port, raw);
    expect(answers.map((a) => [a.status, a.body])).toEqual([[200, `dashboard answers ${expected.method} ${expected.url}`]]);
    expect(await victim(port)).toBe("dashboard answers GET /victim-page");
    expect(seen.map((s) => [s.method, s.url, s.body.toString("latin1")])).toEqual([
      [expected.method, expected.url, expected.body],
      ["GET", "/victim-page", ""],
    ]);
  });

  it("keeps pipelined requests of one client apart, each with its own body", async () => {
    const raw =
      request1(["POST /first HTTP/1.1", "Host: app", "Transfer-Encoding: chunked"]) +
      chunk(smuggled) +
      "0\r\n\r\n" +
      request1(["POST /second HTTP/1.1", "Host: app", "Content-Length: 3"]) +
      "abc";
    const answers = await exchange(port, raw, 2);
    expect(answers.map((a) => a.body)).toEqual(["dashboard answers POST /first", "dashboard answers POST /second"]);
    expect(seen.map((s) => [s.url, s.body.toString()])).toEqual([
      ["/first", smuggled],
      ["/second", "abc"],
    ]);
  });

  it("refuses ambiguous framing on the API's path as well", async () => {
    const raw =
      request1([
        "POST /api/transactions HTTP/1.1",
        "Host: app",
        `Authorization: Bearer ${TEST_KEY}`,
        "Content-Type: application/json",
        "Content-Length: 4",
        "Transfer-Encoding: chunked",
      ]) +
      chunk("{}") +
      "0\r\n\r\n";
    expect((await exchange(port, raw, 2)).map((a) => a.status)).toEqual([400]);
  });
});

const FIVE_MB = 5 * 1024 * 1024;

describe("bodies over the limit", () => {
  let port: number;
  beforeAll(async () => {
    port = await front(edgeSettings({ FRAUD_TRUSTED_PROXY: [] }));
  });

  it.each(["content-length", "chunked"] as const)("a 5 MB form for the dashboard (%s) is answered 413 and the dashboard never gets it", async (framing) => {
    const answer = await postLarge(port, "/settings", FIVE_MB, framing);
    expect(answer.status).toBe(413);
    expect(answer.body).toBe(`The request body is over ${DASHBOARD_BODY_LIMIT_BYTES} bytes.\n`);
    expect(await victim(port)).toBe("dashboard answers GET /victim-page");
    expect(seen.map((s) => s.url)).toEqual(["/victim-page"]);
  });

  it("forwards a body of exactly the dashboard's limit whole", async () => {
    for (const framing of ["content-length", "chunked"] as const) {
      const answer = await postLarge(port, "/settings", DASHBOARD_BODY_LIMIT_BYTES, framing);
      expect(answer.status).toBe(200);
    }
    expect(seen.map((s) => [s.url, s.body.length])).toEqual([
      ["/settings", DASHBOARD_BODY_LIMIT_BYTES],
      ["/settings", DASHBOARD_BODY_LIMIT_BYTES],
    ]);
    expect((await postLarge(port, "/settings", DASHBOARD_BODY_LIMIT_BYTES + 1, "chunked")).status).toBe(413);
  });
});

const SPOOFED = {
  "x-forwarded-proto": "https",
  "x-forwarded-for": "203.0.113.9",
  "x-forwarded-host": "evil.example",
  forwarded: "for=203.0.113.9;proto=https",
  "x-real-ip": "203.0.113.9",
  host: "fraud.local:3000",
};

describe("who sent a request: FRAUD_PUBLIC_URL and FRAUD_TRUSTED_PROXY", () => {
  it("without either, ignores what a client claims: plain http, its own address, no HSTS", async () => {
    const port = await front(edgeSettings({ FRAUD_TRUSTED_PROXY: [] }));
    const page = await get(port, "/login", SPOOFED);
    expect(page.headers["strict-transport-security"]).toBeUndefined();
    expect((await get(port, "/api/health", SPOOFED)).headers["strict-transport-security"]).toBeUndefined();
    const headers = seen[0]!.headers;
    expect(headers).toMatchObject({
      "x-forwarded-proto": "http",
      "x-forwarded-for": "127.0.0.1",
      "x-forwarded-host": "fraud.local:3000",
      host: "fraud.local:3000",
    });
    expect(headers.forwarded).toBeUndefined();
    expect(headers["x-real-ip"]).toBeUndefined();
  });

  it("with an https public URL, every request is secure: HSTS on pages and API answers, and the dashboard is told https and the public host", async () => {
    const port = await front(edgeSettings({ FRAUD_PUBLIC_URL: "https://fraud.example.com", FRAUD_TRUSTED_PROXY: [] }));
    const page = await get(port, "/login", { host: "127.0.0.1", "x-forwarded-proto": "http" });
    expect(page.headers["strict-transport-security"]).toBe("max-age=31536000");
    expect((await get(port, "/api/health", {})).headers["strict-transport-security"]).toBe("max-age=31536000");
    expect(seen[0]!.headers).toMatchObject({ "x-forwarded-proto": "https", "x-forwarded-host": "fraud.example.com", "x-forwarded-for": "127.0.0.1" });
  });

  it("believes X-Forwarded-* from a trusted proxy only, and never from another client", async () => {
    const port = await front(edgeSettings({ FRAUD_TRUSTED_PROXY: ["127.0.0.1"] }));
    const viaProxy = await get(port, "/login", { ...SPOOFED, "x-forwarded-for": "198.51.100.7, 203.0.113.9", "x-forwarded-host": "fraud.example.com" });
    expect(viaProxy.headers["strict-transport-security"]).toBe("max-age=31536000");
    expect(seen[0]!.headers).toMatchObject({ "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9", "x-forwarded-host": "fraud.example.com" });

    const direct = await get(port, "/login", SPOOFED, "127.0.0.2");
    expect(direct.headers["strict-transport-security"]).toBeUndefined();
    expect((await get(port, "/api/health", SPOOFED, "127.0.0.2")).headers["strict-transport-security"]).toBeUndefined();
    expect(seen[1]!.headers).toMatchObject({ "x-forwarded-proto": "http", "x-forwarded-for": "127.0.0.2", "x-forwarded-host": "fraud.local:3000" });

    const proxyOverHttp = await get(port, "/login", { host: "fraud.example.com", "x-forwarded-proto": "http" });
    expect(proxyOverHttp.headers["strict-transport-security"]).toBeUndefined();
    expect(seen[2]!.headers).toMatchObject({ "x-forwarded-proto": "http", "x-forwarded-for": "127.0.0.1" });
  });
});
