import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { generateApiKey } from "./api-keys.ts";

const Secrets = z.object({ api_key: z.string().min(16), admin_password: z.string().min(10) });
export type Secrets = z.infer<typeof Secrets>;

export function secretsFile(dataDir: string): string {
  return join(dataDir, "secrets.json");
}

/**
 * The API key and admin password: from the environment when set; otherwise generated on first
 * start and kept in `<data dir>/secrets.json`, readable by the owner only.
 */
export function loadOrCreateSecrets(dataDir: string, fromEnv: { apiKey?: string; adminPassword?: string }): Secrets & { generated: boolean } {
  const file = secretsFile(dataDir);
  let stored: Secrets | undefined;
  if (existsSync(file)) stored = Secrets.parse(JSON.parse(readFileSync(file, "utf8")));
  const generated = !stored && (!fromEnv.apiKey || !fromEnv.adminPassword);
  if (generated) {
    stored = { api_key: generateApiKey(), admin_password: randomBytes(12).toString("base64url") };
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return {
    api_key: fromEnv.apiKey ?? stored!.api_key,
    admin_password: fromEnv.adminPassword ?? stored!.admin_password,
    generated,
  };
}
