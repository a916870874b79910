import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadOrCreateSecrets, secretsFile } from "../../src/adapters/local/index.ts";
import { generateWebhookSecret, WebhookSecrets } from "../../src/monitoring/webhook.ts";

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), "fraud-secrets-"));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the local secrets file", () => {
  it("gets a webhook signing secret on first start, owner-readable, and keeps it on the next", () => {
    const dir = fresh();
    const first = loadOrCreateSecrets(dir, {});
    expect(first).toMatchObject({ generated: true, webhook_secret_generated: true });
    expect(WebhookSecrets.safeParse(first.webhook_secrets.join(" ")).success).toBe(true);
    expect(statSync(secretsFile(dir)).mode & 0o777).toBe(0o600);
    const again = loadOrCreateSecrets(dir, {});
    expect(again).toMatchObject({ generated: false, webhook_secret_generated: false, webhook_secrets: first.webhook_secrets, api_key: first.api_key });
  });

  it("adds a signing secret to a file written before webhook signing, keeping its API key and password", () => {
    const dir = fresh();
    writeFileSync(secretsFile(dir), JSON.stringify({ api_key: "k".repeat(32), admin_password: "p".repeat(12) }));
    const s = loadOrCreateSecrets(dir, {});
    expect(s).toMatchObject({ generated: false, webhook_secret_generated: true, api_key: "k".repeat(32), admin_password: "p".repeat(12) });
    expect(JSON.parse(readFileSync(secretsFile(dir), "utf8")).webhook_secret).toBe(s.webhook_secrets[0]);
  });

  it("uses FRAUD_WEBHOOK_SECRET's secrets, the previous one included, and generates none", () => {
    const dir = fresh();
    const given = [generateWebhookSecret(), generateWebhookSecret()];
    const s = loadOrCreateSecrets(dir, { apiKey: "k".repeat(32), adminPassword: "p".repeat(12), webhookSecrets: given });
    expect(s).toMatchObject({ generated: false, webhook_secret_generated: false, webhook_secrets: given });
    // The dashboard's own secret has no setting: it is generated and kept all the same.
    expect(loadOrCreateSecrets(dir, { apiKey: "k".repeat(32), adminPassword: "p".repeat(12), webhookSecrets: given }).session_secret).toBe(s.session_secret);
  });
});
