import { randomUUID } from "node:crypto";
import { Audit } from "../../audit/audit.ts";
import { generateApiKey, hashApiKey } from "../../user/credentials.ts";
import { z } from "zod";
import { VisibleError } from "../../errors/errors.ts";
import { API_KEY_SCOPES, type ApiKeyInfo, type ApiKeyScope, type ApiKeyStore } from "../../user/ports.ts";
import { audit, guardWrite, VersionedCache, type Db } from "./sqlite.ts";
import { type Actor } from "../../user/users.ts";

const Row = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.string().transform((s) => z.array(z.enum(API_KEY_SCOPES)).parse(JSON.parse(s))),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});

export { generateApiKey, hashApiKey };

const VERIFIED_MAX = 1_000;

export class LocalApiKeyStore implements ApiKeyStore {
  private readonly byHash;
  /**
   * Keys already verified, by their hash (valid ones only, so unknown keys cannot fill it): emptied
   * whenever the keys' version moves (any change to the keys, by any process).
   */
  private readonly verified: VersionedCache<Map<string, ApiKeyInfo>>;

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
    /** How often to check for changes made by another process (ms; 0: before every request); changes made here apply at once. */
    checkEveryMs = 250,
  ) {
    this.byHash = db.prepare<[string], unknown>("SELECT id, name, scopes, created_at, revoked_at FROM api_keys WHERE hash = ?");
    this.verified = new VersionedCache(db, "api_keys_version", () => new Map<string, ApiKeyInfo>(), checkEveryMs);
  }

  async create(name: string, scopes: ApiKeyScope[], actor: Actor, plaintext?: string): Promise<{ key: string; info: ApiKeyInfo }> {
    const key = plaintext ?? generateApiKey();
    const info: ApiKeyInfo = { id: randomUUID(), name, scopes, created_at: this.clock().toISOString(), revoked_at: null };
    guardWrite(() =>
      this.db.transaction(() => {
        this.db
          .prepare("INSERT INTO api_keys (id, name, hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)")
          .run(info.id, name, hashApiKey(key), JSON.stringify(scopes), info.created_at);
        audit(this.db, Audit.apiKeyCreated({ by: actor, at: info.created_at }, info));
      })(),
    );
    return { key, info };
  }

  async verify(key: string): Promise<ApiKeyInfo | undefined> {
    const hash = hashApiKey(key);
    const verified = this.verified.get();
    const known = verified.get(hash);
    if (known) return known;
    const row = this.byHash.get(hash);
    if (!row) return undefined;
    const info = Row.parse(row);
    if (info.revoked_at !== null) return undefined;
    if (verified.size >= VERIFIED_MAX) verified.clear();
    verified.set(hash, info);
    return info;
  }

  /** True when a key with this plaintext is already stored (revoked or not). */
  has(key: string): boolean {
    return this.byHash.get(hashApiKey(key)) !== undefined;
  }

  async list(): Promise<ApiKeyInfo[]> {
    return this.db
      .prepare("SELECT id, name, scopes, created_at, revoked_at FROM api_keys ORDER BY created_at DESC")
      .all()
      .map((r) => Row.parse(r));
  }

  async revoke(id: string, actor: Actor): Promise<void> {
    const at = this.clock().toISOString();
    guardWrite(() =>
      this.db.transaction(() => {
        const changes = this.db.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(at, id).changes;
        if (changes === 0) throw new VisibleError("API_KEY_NOT_FOUND", `no active API key ${id}`);
        this.verified.invalidate();
        audit(this.db, Audit.apiKeyRevoked({ by: actor, at }, id));
      })(),
    );
  }
}
