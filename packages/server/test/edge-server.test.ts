import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startProcess, waitForHealth, type Proc } from "./processes.ts";
import { call, exchange, postLarge, type Answer } from "./raw-http.ts";

/*
 * The server as `npm start` runs it, with its dashboard process (the built Next app): what a
 * browser, an API client or an attacker reaching its port gets.
 */

const KEY = "edge-test-key-0123456789";
const ADMIN_PASSWORD = "edge-test-admin-pw";
const FIVE_MB = 5 * 1024 * 1024;

interface Running {
  port: number;
  stop(): Promise<void>;
}

async function start(settings: Record<string, string>): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), "fraud-edge-"));
  const port = await freePort();
  const proc: Proc = startProcess("server.ts", {
    FRAUD_DATA_DIR: dir,
    PORT: String(port),
    FRAUD_API_KEY: KEY,
    FRAUD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    FRAUD_DASHBOARD: "on",
    ...settings,
  });
  try {
    await waitForHealth(`http://127.0.0.1:${port}`, 150_000);
  } catch (e) {
    proc.child.kill("SIGKILL");
    throw new Error(`${(e as Error).message}\n${proc.output()}`);
  }
  return {
    port,
    stop: async () => {
      proc.child.kill("SIGTERM");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const unescape = (v: string) =>
  v
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/**
 * Signs in as a browser without JavaScript does: the sign-in page's form, its hidden fields and the
 * credentials, posted back to it. Resolves with the answer to that post.
 */
async function signIn(port: number, headers: Record<string, string> = {}, localAddress?: string): Promise<Answer> {
  const page = await call(port, { path: "/login", headers, localAddress });
  expect(page.status).toBe(200);
  const form = page.body.slice(page.body.indexOf("<form"), page.body.indexOf("</form>"));
  const fields = new FormData();
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?\/>/g)) fields.append(unescape(m[1]!), unescape(m[2] ?? ""));
  fields.set("username", "admin");
  fields.set("password", ADMIN_PASSWORD);
  const encoded = new Response(fields);
  const body = Buffer.from(await encoded.arrayBuffer());
  return call(port, { method: "POST", path: "/login", headers: { ...headers, "content-type": encoded.headers.get("content-type")! }, body, localAddress });
}

function sessionCookie(answer: Answer): string {
  const cookies = [answer.headers["set-cookie"] ?? []].flat();
  const session = cookies.find((c) => c.startsWith("fraud_session="));
  expect(session, `a session cookie in ${JSON.stringify(answer.headers)}`).toBeDefined();
  return session!;
}

describe("the server with its dashboard, behind a proxy it trusts (FRAUD_TRUSTED_PROXY=127.0.0.1)", () => {
  let server: Running;
  beforeAll(async () => {
    server = await start({ FRAUD_TRUSTED_PROXY: "127.0.0.1" });
  }, 180_000);
  afterAll(async () => server?.stop());

  it("never hands one client's smuggled request, or its answer, to the next visitor", async () => {
    // An unfinished request: read upstream as one, the next visitor's request would complete it and get its answer.
    const smuggled = "GET /smuggled-page HTTP/1.1\r\nHost: app\r\nX-Ignore: ";
    const attack = `GET /login HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\n${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    for (let i = 0; i < 3; i++) {
      expect((await exchange(server.port, attack)).map((a) => a.status)).toEqual([200]);
      for (let v = 0; v < 3; v++) {
        const victim = await call(server.port, { path: "/login" });
        expect(victim.status).toBe(200);
        expect(victim.body).toContain('name="password"');
      }
    }
  });

  it("refuses a request with a Content-Length and a Transfer-Encoding (400)", async () => {
    const raw =
      "POST /login HTTP/1.1\r\nHost: app\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled-page HTTP/1.1\r\nHost: app\r\n\r\n";
    expect((await exchange(server.port, raw, 2)).map((a) => a.status)).toEqual([400]);
  });

  it.each(["content-length", "chunked"] as const)("answers a 5 MB transaction (%s) with the API's 413, which the client reads", async (framing) => {
    for (let i = 0; i < 3; i++) {
      const answer = await postLarge(server.port, "/api/transactions", FIVE_MB, framing, { authorization: `Bearer ${KEY}` });
      expect([answer.status, JSON.parse(answer.body)]).toEqual([413, { error: { code: "BODY_TOO_LARGE", message: "the body must be at most 16384 bytes" } }]);
    }
    const viaFetch = await fetch(`http://127.0.0.1:${server.port}/api/transactions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      body: framing === "content-length" ? Buffer.alloc(FIVE_MB, "a") : new Blob([Buffer.alloc(FIVE_MB, "a")]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(viaFetch.status).toBe(413);
  });

  it.each(["content-length", "chunked"] as const)("answers a 5 MB post to a dashboard page (%s) with a 413 the client reads", async (framing) => {
    const answer = await postLarge(server.port, "/login", FIVE_MB, framing);
    expect(answer.status).toBe(413);
    expect(answer.body).toMatch(/^The request body is over \d+ bytes\.\n$/);
  });

  it("makes the session cookie Secure and sends HSTS when the trusted proxy says https", async () => {
    const answer = await signIn(server.port, { host: "fraud.example.com", "x-forwarded-proto": "https", "x-forwarded-host": "fraud.example.com" });
    expect(answer.status).toBe(303);
    expect(sessionCookie(answer)).toMatch(/; Secure/);
    expect(answer.headers["strict-transport-security"]).toBe("max-age=31536000");
  });

  it("makes neither over plain http, nor for a client that is not the proxy, whatever it claims", async () => {
    const plain = await signIn(server.port);
    expect(sessionCookie(plain)).not.toMatch(/Secure/i);
    expect(plain.headers["strict-transport-security"]).toBeUndefined();

    const spoofed = await signIn(server.port, { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9", forwarded: "proto=https" }, "127.0.0.2");
    expect(sessionCookie(spoofed)).not.toMatch(/Secure/i);
    expect(spoofed.headers["strict-transport-security"]).toBeUndefined();
    expect(
      (await call(server.port, { path: "/api/health", headers: { "x-forwarded-proto": "https" }, localAddress: "127.0.0.2" })).headers[
        "strict-transport-security"
      ],
    ).toBeUndefined();
  });
});

describe("the server with its dashboard and FRAUD_PUBLIC_URL=https://...", () => {
  let server: Running;
  beforeAll(async () => {
    server = await start({ FRAUD_PUBLIC_URL: "https://fraud.example.com" });
  }, 180_000);
  afterAll(async () => server?.stop());

  it("makes the session cookie Secure and sends HSTS on pages and API answers", async () => {
    const answer = await signIn(server.port);
    expect(answer.status).toBe(303);
    expect(sessionCookie(answer)).toMatch(/; Secure/);
    expect(answer.headers["strict-transport-security"]).toBe("max-age=31536000");
    expect((await call(server.port, { path: "/api/health" })).headers["strict-transport-security"]).toBe("max-age=31536000");
  });
});
