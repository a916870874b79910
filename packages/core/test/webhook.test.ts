import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../src/platform/env.ts";
import type { AlertMessage } from "../src/platform/ports.ts";
import { alertWebhookId, generateWebhookSecret, WebhookAlerter, webhookSignature, WebhookSecrets } from "../src/monitoring/webhook.ts";

// Signed alert webhooks, checked by the specification's test vector and by its reference
// verifier (the `standardwebhooks` package), as a receiver would check them.

const MESSAGE: AlertMessage = {
  transaction_id: "tx-9",
  user_id: "user_002",
  decision: "BLOCKED",
  score: 95,
  amount: 6_500,
  currency: "XAF",
  rules: ["VERY_HIGH_AMOUNT"],
  decided_at: "2025-06-15T11:00:00.000Z",
};

let server: Server;
let url: string;
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise((r) => server?.close(r)));

const headersOf = (h: IncomingHttpHeaders) => ({
  "webhook-id": String(h["webhook-id"]),
  "webhook-timestamp": String(h["webhook-timestamp"]),
  "webhook-signature": String(h["webhook-signature"]),
});

describe("alert webhook signatures", () => {
  it("match the Standard Webhooks test vector", () => {
    expect(webhookSignature("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}', ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])).toBe(
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
  });

  it("verify with the reference verifier, for the body as sent, and not with another secret or a changed body", async () => {
    const secret = generateWebhookSecret();
    received.length = 0;
    await new WebhookAlerter(url, [secret]).send(MESSAGE);
    const [{ headers, body }] = received as [(typeof received)[number]];
    expect(new Webhook(secret).verify(body, headersOf(headers))).toMatchObject({ type: "fraud.alert", transaction_id: "tx-9", decision: "BLOCKED" });
    expect(headers["webhook-id"]).toBe(alertWebhookId("tx-9"));
    expect(Math.abs(Number(headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headersOf(headers))).toThrow(/No matching signature/);
    expect(() => new Webhook(secret).verify(body.replace("6500", "1"), headersOf(headers))).toThrow(/No matching signature/);
  });

  it("carry two signatures while a secret is rotated, each verifying with its own secret", async () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    received.length = 0;
    await new WebhookAlerter(url, WebhookSecrets.parse(`${current} ${previous}`)).send(MESSAGE);
    const [{ headers, body }] = received as [(typeof received)[number]];
    const signatures = String(headers["webhook-signature"]).split(" ");
    expect(signatures).toHaveLength(2);
    const h = headersOf(headers);
    for (const [secret, signature] of [
      [current, signatures[0]!],
      [previous, signatures[1]!],
    ] as const) {
      expect(new Webhook(secret).verify(body, { ...h, "webhook-signature": signature })).toMatchObject({ transaction_id: "tx-9" });
    }
    expect(() => new Webhook(current).verify(body, { ...h, "webhook-signature": signatures[1]! })).toThrow();
  });

  it("give every alert of a transaction the same id, without a full stop, and other transactions another", () => {
    expect(alertWebhookId("tx.1")).toBe(alertWebhookId("tx.1"));
    expect(alertWebhookId("tx.1")).not.toBe(alertWebhookId("tx.2"));
    expect(alertWebhookId("tx.1")).toMatch(/^msg_[A-Za-z0-9_-]{32}$/);
  });

  it("take secrets only as whsec_ and 24 to 64 random bytes, at most two", () => {
    expect(WebhookSecrets.parse(" whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw ")).toEqual(["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]);
    const a = generateWebhookSecret();
    for (const bad of ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2hvcnQ=", "whsec_not base64!", `${a} ${a} ${a}`, ""]) {
      expect(WebhookSecrets.safeParse(bad).success, bad).toBe(false);
    }
    // Read once with the rest of the environment; a bad secret stops the start, naming the setting.
    const b = generateWebhookSecret();
    expect(env({ FRAUD_WEBHOOK_SECRET: `${a} ${b}` }).FRAUD_WEBHOOK_SECRET).toEqual([a, b]);
    expect(env({}).FRAUD_WEBHOOK_SECRET).toBeUndefined();
    expect(() => env({ FRAUD_WEBHOOK_SECRET: "s3cret" })).toThrow(/FRAUD_WEBHOOK_SECRET\.0: must be whsec_/);
  });
});
