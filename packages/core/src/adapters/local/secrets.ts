import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { generateApiKey } from "./api-keys.ts";

const Secrets = z.object({ api_key: z.string().min(16), admin_password: z.string().min(10) });
export type Secrets = z.infer<typeof Secrets>;

export function secretsFile(dataDir: string): string {
  return join(dataDir, "secrets.json");
}

/** Permission bits for the group and others: none of them on the data directory or the secrets file. */
const SHARED_BITS = 0o077;

/**
 * Makes the data directory, owner-only (0700): it holds the database (password hashes, customers'
 * personal data), the lake and the secrets. One that exists already keeps its permissions (it may
 * be a volume others manage); the answer says when they let others in, so the caller can warn.
 */
export function ensureDataDir(dataDir: string): { mode: number; private: boolean } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mode = statSync(dataDir).mode & 0o777;
  return { mode, private: (mode & SHARED_BITS) === 0 };
}

/**
 * The API key and admin password: from the environment when set; otherwise generated on first
 * start and kept in `<data dir>/secrets.json`, readable by the owner only (a file found readable by
 * others is made owner-only). The data directory is made owner-only in every case (ensureDataDir).
 */
export function loadOrCreateSecrets(dataDir: string, fromEnv: { apiKey?: string; adminPassword?: string }): Secrets & { generated: boolean; dataDir: { mode: number; private: boolean } } {
  const dir = ensureDataDir(dataDir);
  const file = secretsFile(dataDir);
  let stored: Secrets | undefined;
  if (existsSync(file)) {
    if ((statSync(file).mode & SHARED_BITS) !== 0) chmodSync(file, 0o600);
    stored = Secrets.parse(JSON.parse(readFileSync(file, "utf8")));
  }
  const generated = !stored && (!fromEnv.apiKey || !fromEnv.adminPassword);
  if (generated) {
    stored = { api_key: generateApiKey(), admin_password: randomBytes(12).toString("base64url") };
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return {
    api_key: fromEnv.apiKey ?? stored!.api_key,
    admin_password: fromEnv.adminPassword ?? stored!.admin_password,
    generated,
    dataDir: dir,
  };
}
