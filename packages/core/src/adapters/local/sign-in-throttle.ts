import { type SignInThrottle } from "../../user/ports.ts";
import { throttleExpiry, ThrottleEntry, throttleKeyId, throttleWaitMs, type ThrottleKey } from "../../user/throttle.ts";
import { guardWrite, type Db } from "./sqlite.ts";

/**
 * Sign-in attempts in the `sign_in_attempts` table. Each attempt is one write transaction, so the
 * server, the dashboard and the CLI count together; expired rows are removed as attempts come.
 */
export class LocalSignInThrottle implements SignInThrottle {
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private entry(key: ThrottleKey): ThrottleEntry | undefined {
    const row = this.db.prepare<[string]>("SELECT failures, last_at FROM sign_in_attempts WHERE key = ?").get(throttleKeyId(key));
    return row ? ThrottleEntry.parse(row) : undefined;
  }

  async attempt(keys: readonly ThrottleKey[]): Promise<{ waitMs: number }> {
    const now = this.clock();
    return guardWrite(() =>
      this.db
        .transaction(() => {
          this.db.prepare("DELETE FROM sign_in_attempts WHERE expires_at <= ?").run(now.toISOString());
          const entries = keys.map((k) => this.entry(k));
          const waitMs = Math.max(0, ...keys.map((k, i) => throttleWaitMs(k.kind, entries[i], now)));
          if (waitMs > 0) return { waitMs };
          const upsert = this.db.prepare(
            "INSERT INTO sign_in_attempts (key, failures, last_at, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at, expires_at = excluded.expires_at",
          );
          keys.forEach((k, i) => upsert.run(throttleKeyId(k), (entries[i]?.failures ?? 0) + 1, now.toISOString(), throttleExpiry(now).toISOString()));
          return { waitMs: 0 };
        })
        .immediate(),
    );
  }

  async succeeded(keys: readonly ThrottleKey[]): Promise<void> {
    guardWrite(() =>
      this.db
        .transaction(() => {
          for (const k of keys) {
            if (k.kind === "user") this.db.prepare("DELETE FROM sign_in_attempts WHERE key = ?").run(throttleKeyId(k));
            else this.db.prepare("UPDATE sign_in_attempts SET failures = max(failures - 1, 0) WHERE key = ?").run(throttleKeyId(k));
          }
        })
        .immediate(),
    );
  }
}
