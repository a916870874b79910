import type { AlertMessage, Alerter } from "../../ports.ts";

/** POSTs alerts as JSON to a URL; a non-2xx answer or a time-out is a failed delivery. */
export class WebhookAlerter implements Alerter {
  readonly channel = "webhook";

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 3_000,
  ) {}

  async send(message: AlertMessage): Promise<void> {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "fraud-decision-platform/alerts" },
      body: JSON.stringify({ type: "fraud.alert", ...message }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
  }
}
