import { createHash, randomBytes } from "node:crypto";

// Same scheme as the local store (`local/api-keys.ts`), which cannot be imported here: it loads
// better-sqlite3. The contract test checks both give the same hash; moving these two functions to
// a module of core without storage dependencies would let both adapters share one definition.

/** Keys are random 32-byte secrets, so a plain SHA-256 is enough to store them (unlike passwords). */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function generateApiKey(): string {
  return `fk_${randomBytes(24).toString("base64url")}`;
}
