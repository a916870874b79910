import { createHash, createHmac, randomBytes } from "node:crypto";
import { z } from "zod";
import type { AlertMessage, Alerter } from "../platform/ports.ts";

/*
 * Alert webhooks signed as the Standard Webhooks specification says (standardwebhooks.com), so a
 * receiver can tell our calls from a forger's and drop a replay: `webhook-id` (the same for every
 * attempt at one alert), `webhook-timestamp` (the attempt, in Unix seconds) and
 * `webhook-signature`, `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` with each secret.
 * docs/alerts.md shows a receiver's check.
 */

const PREFIX = "whsec_";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A signing secret as the specification writes it: `whsec_` and 24 to 64 random bytes in base64. */
export const WebhookSecret = z.string().refine(
  (s) => {
    const b64 = s.slice(PREFIX.length);
    if (!s.startsWith(PREFIX) || !BASE64.test(b64) || b64.length % 4 !== 0) return false;
    const bytes = Buffer.from(b64, "base64").length;
    return bytes >= 24 && bytes <= 64;
  },
  { message: "must be whsec_ followed by 24 to 64 bytes in base64" },
);

/**
 * The secrets webhooks are signed with: the current one, then, while receivers move to it, the
 * previous one after a space. Each signs, and the signature header carries both.
 */
export const WebhookSecrets = z
  .string()
  .trim()
  .transform((s) => s.split(/\s+/))
  .pipe(z.array(WebhookSecret).min(1).max(2, "at most two secrets: the current one and the previous one"));
export type WebhookSecrets = z.infer<typeof WebhookSecrets>;

/** A new signing secret: 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${PREFIX}${randomBytes(32).toString("base64")}`;
}

const keyOf = (secret: string) => Buffer.from(secret.slice(PREFIX.length), "base64");

/** The `webhook-signature` header: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per secret, space-separated. */
export function webhookSignature(id: string, timestamp: number, body: string, secrets: readonly string[]): string {
  return secrets.map((s) => `v1,${createHmac("sha256", keyOf(s)).update(`${id}.${timestamp}.${body}`).digest("base64")}`).join(" ");
}

/**
 * The `webhook-id` of a transaction's alert. Derived from the transaction, so every attempt, on
 * either deployment, carries the same id and a receiver can drop duplicates; hashed, so that
 * the id never holds a `.` (the signed text's separator) nor anything a client chose.
 */
export function alertWebhookId(transactionId: string): string {
  return `msg_${createHash("sha256").update(`fraud.alert\0${transactionId}`).digest("base64url").slice(0, 32)}`;
}

/** The three Standard Webhooks headers of one attempt. */
export function webhookHeaders(
  id: string,
  body: string,
  secrets: readonly string[],
  now: Date,
): Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": webhookSignature(id, timestamp, body, secrets) };
}

/** POSTs alerts as signed JSON to a URL; a non-2xx answer or a time-out is a failed delivery. */
export class WebhookAlerter implements Alerter {
  readonly channel = "webhook";

  constructor(
    private readonly url: string,
    private readonly secrets: WebhookSecrets,
    private readonly timeoutMs = 3_000,
  ) {
    if (secrets.length === 0) throw new Error("a webhook needs a signing secret");
  }

  async send(message: AlertMessage): Promise<void> {
    const body = JSON.stringify({ type: "fraud.alert", ...message });
    const res = await fetch(this.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "fraud-decision-platform/alerts",
        ...webhookHeaders(alertWebhookId(message.transaction_id), body, this.secrets, new Date()),
      },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
  }
}
