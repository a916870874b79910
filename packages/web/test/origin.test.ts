import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));
const request = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("next/headers", () => ({ headers: async () => request.headers }));

/** origin.ts afresh, with the environment read again (env() keeps the first reading of process.env). */
async function origin(publicUrl?: string) {
  vi.resetModules();
  if (publicUrl) process.env.FRAUD_PUBLIC_URL = publicUrl;
  else delete process.env.FRAUD_PUBLIC_URL;
  return import("@/server/origin");
}

afterEach(() => {
  delete process.env.FRAUD_PUBLIC_URL;
});

describe("the site's own origin, and whether a request came over HTTPS", () => {
  it("without FRAUD_PUBLIC_URL, follows what the server in front wrote", async () => {
    const o = await origin();
    request.headers = new Headers({ host: "127.0.0.1:3000", "x-forwarded-host": "fraud.local:3000", "x-forwarded-proto": "http" });
    expect([await o.requestIsSecure(), await o.publicOrigin()]).toEqual([false, "http://fraud.local:3000"]);
    request.headers = new Headers({ host: "fraud.example.com", "x-forwarded-proto": "https" });
    expect([await o.requestIsSecure(), await o.publicOrigin()]).toEqual([true, "https://fraud.example.com"]);
  });

  it("with FRAUD_PUBLIC_URL, is that origin whatever the request says, and secure when it is https", async () => {
    const o = await origin("https://fraud.example.com");
    request.headers = new Headers({ host: "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "http" });
    expect([await o.requestIsSecure(), await o.publicOrigin()]).toEqual([true, "https://fraud.example.com"]);
  });
});
