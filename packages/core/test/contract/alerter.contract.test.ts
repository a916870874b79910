import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SnsAlerter } from "../../src/adapters/aws/index.ts";
import type { AlertMessage, Alerter } from "../../src/platform/ports.ts";
import { generateWebhookSecret, WebhookAlerter } from "../../src/monitoring/webhook.ts";
import { startEmulators, type Emulators } from "./emulators.ts";

// The Alerter port: locally a webhook, on AWS the SNS topic the risk team's email subscribes to.
// Both deliver the message's ids and figures, and throw when it was not delivered (so the caller
// retries: the local delivery queue, the Kinesis consumer's per-record failure).

const MESSAGE: AlertMessage = {
  transaction_id: "tx-9",
  user_id: "user_002",
  decision: "BLOCKED",
  score: 95,
  amount: 6_500,
  currency: "XAF",
  rules: ["VERY_HIGH_AMOUNT", "NEW_DEVICE"],
  decided_at: "2025-06-15T11:00:00.000Z",
};

interface AlerterFixture {
  working: Alerter;
  broken: Alerter;
  /** Text of what the working channel received last. */
  received(): Promise<string>;
}

let emulators: Emulators;
let server: Server;
let lastBody = "";
let webhookUrl: string;
beforeAll(async () => {
  emulators = await startEmulators();
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.url === "/broken") return void res.writeHead(500).end();
      lastBody = body;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await emulators?.stop();
});

const adapters: Array<[string, () => Promise<AlerterFixture>]> = [
  [
    "local (webhook)",
    async () => ({
      working: new WebhookAlerter(`${webhookUrl}/hook`, [generateWebhookSecret()]),
      broken: new WebhookAlerter(`${webhookUrl}/broken`, [generateWebhookSecret()]),
      received: async () => lastBody,
    }),
  ],
  [
    "aws (SNS)",
    async () => {
      const { TopicArn } = await emulators.clients.sns.send(new CreateTopicCommand({ Name: `alerts-${Date.now()}` }));
      const topicName = TopicArn!.split(":").at(-1)!;
      return {
        working: new SnsAlerter(emulators.clients.sns, TopicArn!),
        broken: new SnsAlerter(emulators.clients.sns, TopicArn!.replace(topicName, "no-such-topic")),
        received: async () => JSON.stringify(await emulators.fauxqs.spy.waitForMessage({ service: "sns", topicName, status: "published" }, undefined, 5_000)),
      };
    },
  ],
];

for (const [name, make] of adapters) {
  describe(`${name}: Alerter`, () => {
    it("delivers the decision, the customer, the amount and the rules that fired", async () => {
      const f = await make();
      await f.working.send(MESSAGE);
      const text = await f.received();
      for (const part of ["tx-9", "user_002", "BLOCKED", "6500", "XAF", "VERY_HIGH_AMOUNT", "NEW_DEVICE"]) expect(text).toContain(part);
    });

    it("throws when the alert was not delivered", async () => {
      const f = await make();
      await expect(f.broken.send(MESSAGE)).rejects.toThrow();
    });
  });
}
