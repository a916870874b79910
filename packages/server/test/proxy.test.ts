import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { forwardTo } from "../src/proxy.ts";
import { freePort } from "./processes.ts";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return (server.address() as { port: number }).port;
}

/** A plain HTTP call that shows exactly what came back (fetch would merge and hide headers). */
function call(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

describe("forwardTo (the server's way to the dashboard process)", () => {
  it("forwards method, path, headers and body, and streams the answer back with its status and cookies", async () => {
    let seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string } | undefined;
    const upstream = await listen(
      createServer((req, res) => {
        let body = "";
        req.on("data", (d: Buffer) => (body += d));
        req.on("end", () => {
          seen = { method: req.method, url: req.url, headers: req.headers, body };
          res.writeHead(303, { location: "/rules", "set-cookie": ["a=1; HttpOnly", "b=2"], "x-upstream": "yes" });
          res.write("first part, ");
          setTimeout(() => res.end("second part"), 20);
        });
      }),
    );
    const front = await listen(createServer(forwardTo({ port: () => upstream, unavailable: "starting\n", edge: { alwaysSecure: false } })));
    const answer = await call(front, "/rules/draft?x=1", {
      method: "POST",
      headers: { host: "localhost:3000", "content-type": "text/plain", cookie: "session=s", connection: "keep-alive, x-private", "x-private": "hop" },
      body: "form body",
    });

    expect(seen).toMatchObject({ method: "POST", url: "/rules/draft?x=1", body: "form body" });
    expect(seen!.headers).toMatchObject({
      host: "localhost:3000",
      cookie: "session=s",
      "content-type": "text/plain",
      "x-forwarded-host": "localhost:3000",
      "x-forwarded-proto": "http",
      "x-forwarded-for": "127.0.0.1",
    });
    expect(seen!.headers["x-private"]).toBeUndefined(); // named in Connection: for that hop only
    expect(answer.status).toBe(303);
    expect(answer.headers).toMatchObject({ location: "/rules", "set-cookie": ["a=1; HttpOnly", "b=2"], "x-upstream": "yes" });
    expect(answer.body).toBe("first part, second part");
  });

  it("answers 503 with a short message while the dashboard has no port, and 502 when it cannot be reached", async () => {
    const starting = await listen(
      createServer(forwardTo({ port: () => undefined, unavailable: "The dashboard is starting.\n", edge: { alwaysSecure: false } })),
    );
    const whileStarting = await call(starting, "/", { method: "POST", body: "ignored" });
    expect([whileStarting.status, whileStarting.body]).toEqual([503, "The dashboard is starting.\n"]);

    const closed = await freePort();
    const broken = await listen(createServer(forwardTo({ port: () => closed, unavailable: "The dashboard is restarting.\n", edge: { alwaysSecure: false } })));
    const unreachable = await call(broken, "/overview");
    expect([unreachable.status, unreachable.body]).toEqual([502, "The dashboard is restarting.\n"]);
    expect(unreachable.body).not.toMatch(/ECONNREFUSED|Error/);
  });
});
