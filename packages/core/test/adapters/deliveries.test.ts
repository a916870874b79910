import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Webhook } from "standardwebhooks";
import { Demo, Monitoring, Settings } from "../../src/index.ts";
import { AlertDeliveries, LocalLakeWriter, OutboxWorker, openLocalPlatform, type LocalPlatform } from "../../src/adapters/local/index.ts";

let dir: string;
let platform: LocalPlatform;
let server: Server;
let url: string;
let mode: "fail" | "slow" | "hang" | "ok" = "fail";
/** Answers held back by the "hang" mode until a test lets them go. */
const held: Array<() => void> = [];
const received: Array<Record<string, unknown>> = [];
/** The Standard Webhooks headers of every attempt, answered or not. */
const attempts: Array<{ id: string; timestamp: string; signature: string; body: string }> = [];
const secret = Monitoring.generateWebhookSecret();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fraud-deliveries-"));
  platform = openLocalPlatform({ dataDir: dir, settings: Settings.defaultSettings });
  await Demo.seedDemo(platform, new Date());
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      attempts.push({
        id: String(req.headers["webhook-id"]),
        timestamp: String(req.headers["webhook-timestamp"]),
        signature: String(req.headers["webhook-signature"]),
        body,
      });
      if (mode === "fail") return void res.writeHead(500).end();
      if (mode === "slow") return void setTimeout(() => res.writeHead(200).end(), 1_000);
      if (mode === "hang") return void held.push(() => res.writeHead(204).end());
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
});
afterAll(() => {
  server.close();
  platform.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("alert deliveries", () => {
  it("never slows decisions, retries a failing webhook with backoff and delivers once it recovers", async () => {
    const lake = await LocalLakeWriter.open(platform.lakeDir);
    const worker = new OutboxWorker(platform.db, lake);
    const r = await platform.scoring.submit({ transaction_id: "alert-1", user_id: "user_001", amount: 9000, merchant_id: "M", device_id: "device_x" });
    expect(r.status).toBe("recorded");
    await worker.drain();
    lake.close();

    const deliveries = new AlertDeliveries(platform.db, [new Monitoring.WebhookAlerter(url, [secret], 200)], "XAF", { baseDelayMs: 50, maxAttempts: 5 });
    expect(deliveries.enqueueNew(new Date())).toBe(1);
    expect(deliveries.enqueueNew(new Date())).toBe(0);

    mode = "fail";
    expect(await deliveries.deliverDue(new Date())).toBe(1);
    const row = () =>
      platform.db.prepare("SELECT status, attempts, last_error, next_attempt_at FROM alert_deliveries").get() as {
        status: string;
        attempts: number;
        last_error: string;
        next_attempt_at: string;
      };
    expect(row()).toMatchObject({ status: "pending", attempts: 1, last_error: "webhook answered HTTP 500" });
    // Not due again before its backoff.
    expect(await deliveries.deliverDue(new Date(Date.parse(row().next_attempt_at) - 10))).toBe(0);

    mode = "slow";
    await deliveries.deliverDue(new Date(Date.parse(row().next_attempt_at) + 1));
    expect(row()).toMatchObject({ status: "pending", attempts: 2, last_error: "timed out" });

    mode = "ok";
    await deliveries.deliverDue(new Date(Date.parse(row().next_attempt_at) + 1));
    expect(row()).toMatchObject({ status: "delivered", attempts: 3 });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ type: "fraud.alert", transaction_id: "alert-1", decision: "BLOCKED", currency: "XAF" });
    expect(deliveries.summary()).toEqual({ delivered: 1 });

    // Every attempt is signed, and all three carry the alert's one id: the receiver drops repeats by it.
    expect(attempts.map((a) => a.id)).toEqual(Array(3).fill(Monitoring.alertWebhookId("alert-1")));
    for (const a of attempts) {
      expect(new Webhook(secret).verify(a.body, { "webhook-id": a.id, "webhook-timestamp": a.timestamp, "webhook-signature": a.signature })).toMatchObject({
        transaction_id: "alert-1",
      });
    }
  });

  it("decides while a delivery hangs on an unresponsive receiver", async () => {
    const deliveries = new AlertDeliveries(platform.db, [new Monitoring.WebhookAlerter(url, [secret], 60_000)], "XAF", { baseDelayMs: 1, maxAttempts: 2 });
    platform.db
      .prepare("INSERT INTO alerts (transaction_id, user_id, decision, score, amount, rules, created_at) VALUES ('alert-hang', 'u', 'REVIEW', 60, 5, '[]', ?)")
      .run(new Date().toISOString());
    expect(deliveries.enqueueNew(new Date())).toBe(1);
    mode = "hang";
    let settled = false;
    const delivering = deliveries.deliverDue(new Date(Date.now() + 3_600_000)).finally(() => (settled = true));
    await vi.waitFor(() => expect(held).toHaveLength(1));
    // The receiver holds the request: decisions are still made and recorded meanwhile.
    const r = await platform.scoring.submit({ transaction_id: "alert-2", user_id: "user_002", amount: 10, merchant_id: "M" });
    expect(r.status).toBe("recorded");
    expect(settled).toBe(false);
    held.shift()!();
    await delivering;
    expect(deliveries.summary()).toEqual({ delivered: 2 });
  });

  it("gives up after the last attempt and shows the delivery as failed", async () => {
    const deliveries = new AlertDeliveries(platform.db, [new Monitoring.WebhookAlerter(url, [secret], 200)], "XAF", { baseDelayMs: 1, maxAttempts: 2 });
    platform.db
      .prepare("INSERT INTO alerts (transaction_id, user_id, decision, score, amount, rules, created_at) VALUES ('alert-x', 'u', 'REVIEW', 60, 5, '[]', ?)")
      .run(new Date().toISOString());
    expect(deliveries.enqueueNew(new Date())).toBe(1);
    mode = "fail";
    const far = new Date(Date.now() + 3_600_000);
    await deliveries.deliverDue(far);
    await deliveries.deliverDue(far);
    expect(deliveries.summary()).toEqual({ delivered: 2, failed: 1 });
  });
});
