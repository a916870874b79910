import type { RuleHitCounts } from "../../platform/platform.ts";
import { Decision } from "../../decision/decision.ts";
import type { DecisionLog, DecisionQuery, RecordResult } from "../../platform/ports.ts";
import { Profile } from "../../profile/profile.ts";
import type { Transaction } from "../../transaction/transaction.ts";
import { UnavailableError } from "../../errors/errors.ts";
import type { DecisionTiming } from "../../telemetry/decision-timing.ts";
import { BUSY_TIMEOUT_MS, guardWrite, type Db } from "./sqlite.ts";

type Score = Parameters<DecisionLog["record"]>[2];

interface Pending {
  tx: Transaction;
  fingerprint: string;
  score: Score;
  timing: DecisionTiming | undefined;
  resolve: (result: RecordResult) => void;
  reject: (error: unknown) => void;
}

/** Scoring one decision threw before anything of it was written: that decision fails, the batch goes on. */
class ScoringFailed extends Error {
  constructor(cause: unknown) {
    super("scoring failed", { cause });
  }
}

/** At most this many decisions per commit, so one commit stays short. */
const MAX_BATCH = 256;
/**
 * Profiles kept parsed in memory (the most recently used): a customer who comes back within the
 * next 64 transactions is not parsed again (13 µs). Small on purpose: an entry must die before
 * V8's young-generation collections move it to the old generation. With 1,000 entries every
 * profile lived through two collections at high rates, 1.8 KB per transaction that only full
 * collections (pauses of 5-10 ms) reclaimed.
 */
const PROFILE_CACHE_SIZE = 64;

/**
 * Under load (the last commit less than BUSY_GAP_MS ago) the next commit waits a millisecond for
 * more decisions to join it: each commit writes its dirty pages (the profile, the decision, its
 * indexes, the outbox) to the write-ahead log whether it holds one decision or ten, so fewer,
 * larger commits cost the server and the worker's checkpoints less per decision. When decisions
 * come one at a time, the commit is immediate.
 */
const BUSY_GAP_MS = 2;
const COMMIT_WINDOW_MS = 1;
/** While another process holds SQLite's write lock, the next commit is tried this often. */
const LOCK_RETRY_MS = 1;

export interface DecisionLogOptions {
  /** Under load, how long a commit waits for more decisions to join it (ms; 0: never waits). */
  commitWindowMs?: number;
  /** "Under load": the last commit ended less than this long ago (ms). */
  busyGapMs?: number;
  /** How long decisions wait for another process (the worker, a CLI command) to release the write lock before failing. */
  lockWaitMs?: number;
}

/** Decisions, profiles and the outbox in one SQLite transaction: all durable, or none. */
export class LocalDecisionLog implements DecisionLog, RuleHitCounts {
  private readonly q;
  private readonly lockWaitMs: number;
  private readonly commitWindowMs: number;
  private readonly busyGapMs: number;

  constructor(
    private readonly db: Db,
    options: DecisionLogOptions = {},
  ) {
    this.lockWaitMs = options.lockWaitMs ?? BUSY_TIMEOUT_MS;
    this.commitWindowMs = options.commitWindowMs ?? COMMIT_WINDOW_MS;
    this.busyGapMs = options.busyGapMs ?? BUSY_GAP_MS;
    this.q = {
      begin: db.prepare("BEGIN IMMEDIATE"),
      commit: db.prepare("COMMIT"),
      rollback: db.prepare("ROLLBACK"),
      existing: db.prepare<[string], { fingerprint: string; data: string }>("SELECT fingerprint, data FROM decisions WHERE transaction_id = ?"),
      profile: db.prepare<[string], { data: string }>("SELECT data FROM profiles WHERE user_id = ?"),
      upsertProfile: db.prepare(
        `INSERT INTO profiles (user_id, email, risk_level, updated_at, data) VALUES (@user_id, @email, @risk_level, @updated_at, @data)
         ON CONFLICT(user_id) DO UPDATE SET email = excluded.email, risk_level = excluded.risk_level, updated_at = excluded.updated_at, data = excluded.data`,
      ),
      insertDecision: db.prepare(
        `INSERT INTO decisions (transaction_id, fingerprint, user_id, decision, score, amount, decided_at, data)
         VALUES (@transaction_id, @fingerprint, @user_id, @decision, @score, @amount, @decided_at, @data)`,
      ),
      insertRule: db.prepare("INSERT INTO decision_rules (seq, rule_id) VALUES (?, ?)"),
      insertOutbox: db.prepare("INSERT INTO outbox (transaction_id, payload, created_at) VALUES (?, ?, ?)"),
    };
  }

  /** Decisions waiting for the next group commit, and whether one is scheduled. */
  private pending: Pending[] = [];
  /** Commits written and decisions recorded by this process, for the bench and the health of group commit. */
  readonly stats = { commits: 0, decisions: 0 };
  private flushScheduled = false;
  /** Since when (performance.now()) the pending decisions have been waiting for another process's write lock. */
  private lockedSince: number | undefined;
  /** When the last commit ended (performance.now()). */
  private lastCommitAt = -Infinity;
  /** The last profile this process wrote or read per customer, with the exact JSON stored: parsed once. */
  private readonly profiles = new Map<string, { data: string; profile: Profile }>();

  /**
   * Group commit: the decisions that arrive while the event loop is busy are written in one SQLite
   * transaction (one WAL append instead of one per decision). Nobody is answered before the
   * commit, so acknowledged still means durable. Scoring that throws (a bug in one decision) fails
   * that decision alone, before it writes anything; a write that fails (disk full, read-only, or
   * a bug in the store) rolls the whole batch back and fails every decision in it, so nothing is
   * ever half written. (A savepoint per decision would isolate write failures too, at about a
   * third of the cost of a decision.) While another process (the worker) holds the write lock,
   * the event loop is not put to sleep: the batch is tried again a millisecond later with whatever
   * arrived meanwhile, and fails as unavailable (503) only after `lockWaitMs`.
   */
  record(...[tx, fingerprint, score, timing]: Parameters<DecisionLog["record"]>): Promise<RecordResult> {
    return new Promise<RecordResult>((resolve, reject) => {
      this.pending.push({ tx, fingerprint, score, timing, resolve, reject });
      if (this.pending.length >= MAX_BATCH && this.lockedSince === undefined) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        if (this.commitWindowMs > 0 && performance.now() - this.lastCommitAt < this.busyGapMs) setTimeout(() => this.flush(), this.commitWindowMs);
        else setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    let locked: boolean;
    try {
      locked = guardWrite(() => this.begin());
    } catch (error) {
      this.lockedSince = undefined;
      this.fail(this.pending.splice(0), error);
      return;
    }
    if (!locked) {
      // Another process holds the write lock, for a few milliseconds as a rule: try again soon,
      // with whatever else arrives meanwhile, or give up after lockWaitMs as SQLite would.
      const now = performance.now();
      this.lockedSince ??= now;
      if (now - this.lockedSince > this.lockWaitMs) {
        this.lockedSince = undefined;
        this.fail(
          this.pending.splice(0),
          new UnavailableError("the data store cannot accept writes", {
            cause: new Error(`write lock held by another process for over ${this.lockWaitMs} ms`),
          }),
        );
        return;
      }
      this.flushScheduled = true;
      setTimeout(() => this.flush(), LOCK_RETRY_MS);
      return;
    }
    this.lockedSince = undefined;
    const batch = this.pending.splice(0, MAX_BATCH);
    if (this.pending.length > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    const outcomes: Array<{ ok: true; value: RecordResult } | { ok: false; error: unknown }> = [];
    let commitStart = 0;
    try {
      guardWrite(() => {
        try {
          for (const item of batch) {
            try {
              outcomes.push({ ok: true, value: this.writeDecision(item.tx, item.fingerprint, item.score) });
            } catch (error) {
              if (!(error instanceof ScoringFailed)) throw error;
              outcomes.push({ ok: false, error: error.cause });
            }
          }
          commitStart = performance.now();
          this.q.commit.run();
        } catch (error) {
          if (this.db.inTransaction) this.q.rollback.run();
          throw error;
        }
      });
    } catch (error) {
      this.fail(batch, error);
      return;
    }
    this.lastCommitAt = performance.now();
    for (const item of batch) {
      if (!item.timing) continue;
      item.timing.commitStart = commitStart;
      item.timing.commitEnd = this.lastCommitAt;
      item.timing.batchSize = batch.length;
    }
    this.stats.commits += 1;
    this.stats.decisions += outcomes.filter((o) => o.ok && o.value.status === "recorded").length;
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  /**
   * BEGIN IMMEDIATE without waiting: false when another connection holds the write lock. SQLite's
   * busy handler would sleep the whole process (1, 2, 5, 10 ms...) while the worker commits; here
   * the event loop stays free and flush tries again a millisecond later. (The busy timeout is set
   * by a PRAGMA each time, about 4 µs: SQLite applies it when the PRAGMA is prepared, so a
   * prepared one cannot be reused.)
   */
  private begin(): boolean {
    this.db.pragma("busy_timeout = 0");
    try {
      this.q.begin.run();
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_BUSY") return false;
      throw error;
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  private fail(batch: Pending[], error: unknown): void {
    for (const item of batch) item.reject(error);
  }

  private writeDecision(tx: Transaction, fingerprint: string, score: Score): RecordResult {
    const existing = this.q.existing.get(tx.transaction_id);
    if (existing) {
      const decision = Decision.parse(JSON.parse(existing.data));
      return { status: existing.fingerprint === fingerprint ? "duplicate" : "conflict", decision };
    }
    const profile = this.profileOf(tx.user_id);
    let scored: ReturnType<Score>;
    try {
      scored = score(profile);
    } catch (cause) {
      throw new ScoringFailed(cause);
    }
    const { decision: decided, nextProfile, latency_ms } = scored;
    // Object.assign rather than a spread followed by a property: see parseTransaction.
    const decision: Decision = Object.assign({}, decided, { latency_ms });
    const data = JSON.stringify(decision);
    const profileData = JSON.stringify(nextProfile);
    this.q.upsertProfile.run({
      user_id: nextProfile.user_id,
      email: nextProfile.email,
      risk_level: nextProfile.risk_level,
      updated_at: nextProfile.updated_at,
      data: profileData,
    });
    this.remember(nextProfile.user_id, profileData, nextProfile);
    const { lastInsertRowid } = this.q.insertDecision.run({
      transaction_id: decision.transaction_id,
      fingerprint,
      user_id: decision.user_id,
      decision: decision.decision,
      score: decision.score,
      amount: tx.amount,
      decided_at: decision.decided_at,
      data,
    });
    for (const r of decision.rules) this.q.insertRule.run(lastInsertRowid, r.id);
    // The outbox points at the decision (payload '' = read it from decisions): written once.
    this.q.insertOutbox.run(decision.transaction_id, "", decision.decided_at);
    return { status: "recorded", decision };
  }

  /**
   * The stored profile, parsed with its schema, unless this process already parsed (or wrote)
   * exactly these bytes: a row written by anyone else, or rolled back, is parsed again.
   */
  private profileOf(userId: string): Profile | undefined {
    const row = this.q.profile.get(userId);
    if (!row) return undefined;
    const known = this.profiles.get(userId);
    if (known && known.data === row.data) return known.profile;
    const profile = Profile.parse(JSON.parse(row.data));
    this.remember(userId, row.data, profile);
    return profile;
  }

  private remember(userId: string, data: string, profile: Profile): void {
    this.profiles.delete(userId);
    this.profiles.set(userId, { data, profile });
    if (this.profiles.size > PROFILE_CACHE_SIZE) this.profiles.delete(this.profiles.keys().next().value!);
  }

  async get(transactionId: string): Promise<Decision | undefined> {
    const row = this.q.existing.get(transactionId);
    return row ? Decision.parse(JSON.parse(row.data)) : undefined;
  }

  async search(query: DecisionQuery): Promise<Decision[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: Math.min(Math.max(query.limit ?? 50, 1), 500) };
    if (query.decision) {
      where.push("d.decision = @decision");
      params.decision = query.decision;
    }
    if (query.user_id) {
      where.push("d.user_id = @user_id");
      params.user_id = query.user_id;
    }
    if (query.rule_id) {
      where.push("d.seq IN (SELECT seq FROM decision_rules WHERE rule_id = @rule_id)");
      params.rule_id = query.rule_id;
    }
    if (query.min_amount !== undefined) {
      where.push("d.amount >= @min_amount");
      params.min_amount = query.min_amount;
    }
    if (query.max_amount !== undefined) {
      where.push("d.amount <= @max_amount");
      params.max_amount = query.max_amount;
    }
    if (query.before) {
      where.push("d.decided_at < @before");
      params.before = query.before;
    }
    const sql = `SELECT d.data FROM decisions d ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY d.seq DESC LIMIT @limit`;
    return this.db
      .prepare<Record<string, unknown>, { data: string }>(sql)
      .all(params)
      .map((r) => Decision.parse(JSON.parse(r.data)));
  }

  /** Rows in the decision log, for checks after a crash or a load test. */
  count(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM decisions").get() as { n: number }).n;
  }

  /** Hit counts per rule, for the rules page. */
  async ruleHits(): Promise<Record<string, number>> {
    const rows = this.db.prepare<[], { rule_id: string; n: number }>("SELECT rule_id, count(*) AS n FROM decision_rules GROUP BY rule_id").all();
    return Object.fromEntries(rows.map((r) => [r.rule_id, r.n]));
  }
}
