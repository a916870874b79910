import { Audit } from "../../audit/audit.ts";
import { VisibleError } from "../../errors/errors.ts";
import type { RuleStore, ShadowRulesetStore } from "../../platform/ports.ts";
import { contentOf, Ruleset, validateRulesetContent, type RulesetContent } from "../../ruleset/ruleset.ts";
import { audit, guardWrite, type Db } from "./sqlite.ts";
import { type Actor } from "../../user/users.ts";

/** Versioned rulesets: drafts, every published version kept, one live version. */
export class LocalRuleStore implements RuleStore, ShadowRulesetStore {
  private readonly kv;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {
    // Read on every decision: prepared once.
    this.kv = db.prepare<[string], { value: string }>("SELECT value FROM kv WHERE key = ?");
  }

  /** Called after this process publishes, rolls back or changes the shadow ruleset (e.g. to drop a cached ruleset). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed<T>(value: T): T {
    for (const listener of this.listeners) listener();
    return value;
  }

  async liveVersion(): Promise<number> {
    return this.liveVersionSync();
  }

  liveVersionSync(): number {
    const row = this.kv.get("live_ruleset");
    return row ? Number(row.value) : 0;
  }

  async live(): Promise<Ruleset | undefined> {
    const v = this.liveVersionSync();
    return v === 0 ? undefined : this.get(v);
  }

  async get(version: number): Promise<Ruleset | undefined> {
    const row = this.db.prepare<[number], { data: string }>("SELECT data FROM rulesets WHERE version = ?").get(version);
    return row ? Ruleset.parse(JSON.parse(row.data)) : undefined;
  }

  async versions(): Promise<Ruleset[]> {
    return this.db
      .prepare<[], { data: string }>("SELECT data FROM rulesets ORDER BY version DESC")
      .all()
      .map((r) => Ruleset.parse(JSON.parse(r.data)));
  }

  private insert(content: RulesetContent, actor: Actor, note: string, status: Ruleset["status"]): Ruleset {
    const next = (this.db.prepare("SELECT coalesce(max(version), 0) + 1 AS v FROM rulesets").get() as { v: number }).v;
    const at = this.clock().toISOString();
    const ruleset: Ruleset = Ruleset.parse({
      ...content,
      version: next,
      status,
      note,
      created_at: at,
      created_by: actor.id,
      published_at: null,
      published_by: null,
    });
    this.db.prepare("INSERT INTO rulesets (version, status, data) VALUES (?, ?, ?)").run(next, status, JSON.stringify(ruleset));
    return ruleset;
  }

  private makeLive(ruleset: Ruleset, actor: Actor, how: "ruleset.publish" | "ruleset.rollback"): Ruleset {
    const at = this.clock().toISOString();
    const previous = this.liveVersionSync();
    if (previous !== 0) {
      const prev = this.db.prepare<[number], { data: string }>("SELECT data FROM rulesets WHERE version = ?").get(previous);
      if (prev) {
        const archived = { ...Ruleset.parse(JSON.parse(prev.data)), status: "archived" as const };
        this.db.prepare("UPDATE rulesets SET status = 'archived', data = ? WHERE version = ?").run(JSON.stringify(archived), previous);
      }
    }
    const published: Ruleset = { ...ruleset, status: "published", published_at: at, published_by: actor.id };
    this.db.prepare("UPDATE rulesets SET status = 'published', data = ? WHERE version = ?").run(JSON.stringify(published), ruleset.version);
    this.db
      .prepare("INSERT INTO kv (key, value) VALUES ('live_ruleset', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(String(ruleset.version));
    // A shadow ruleset that goes live has nothing left to be compared with.
    this.db.prepare("DELETE FROM kv WHERE key = 'shadow_ruleset' AND value = ?").run(String(ruleset.version));
    audit(this.db, Audit.rulesetLive({ by: actor, at }, how, ruleset.version, previous));
    return published;
  }

  async saveDraft(content: RulesetContent, actor: Actor, note = ""): Promise<Ruleset> {
    const valid = validateRulesetContent(content);
    return guardWrite(() =>
      this.db
        .transaction(() => {
          const draft = this.insert(valid, actor, note, "draft");
          audit(this.db, Audit.rulesetDrafted({ by: actor, at: draft.created_at }, draft, note));
          return draft;
        })
        .immediate(),
    );
  }

  async publish(version: number, actor: Actor): Promise<Ruleset> {
    return this.changed(
      guardWrite(() =>
        this.db
          .transaction(() => {
            const row = this.db.prepare<[number], { data: string }>("SELECT data FROM rulesets WHERE version = ?").get(version);
            if (!row) throw new VisibleError("RULESET_NOT_FOUND", `no ruleset version ${version}`);
            const ruleset = Ruleset.parse(JSON.parse(row.data));
            if (ruleset.status !== "draft")
              throw new VisibleError("RULESET_NOT_DRAFT", `version ${version} is ${ruleset.status}; only a draft can be published`);
            validateRulesetContent(contentOf(ruleset));
            return this.makeLive(ruleset, actor, "ruleset.publish");
          })
          .immediate(),
      ),
    );
  }

  async rollback(toVersion: number, actor: Actor): Promise<Ruleset> {
    return this.changed(
      guardWrite(() =>
        this.db
          .transaction(() => {
            const row = this.db.prepare<[number], { data: string }>("SELECT data FROM rulesets WHERE version = ?").get(toVersion);
            if (!row) throw new VisibleError("RULESET_NOT_FOUND", `no ruleset version ${toVersion}`);
            const target = Ruleset.parse(JSON.parse(row.data));
            if (target.published_at === null) throw new VisibleError("RULESET_NEVER_PUBLISHED", `version ${toVersion} was never published`);
            // Going live again is checked as publishing is: a version from before a check is refused.
            validateRulesetContent(contentOf(target));
            const copy = this.insert(contentOf(target), actor, `rollback to version ${toVersion}`, "draft");
            return this.makeLive(copy, actor, "ruleset.rollback");
          })
          .immediate(),
      ),
    );
  }

  async shadowVersion(): Promise<number> {
    const row = this.kv.get("shadow_ruleset");
    return row ? Number(row.value) : 0;
  }

  async setShadow(version: number | null, actor: Actor): Promise<void> {
    guardWrite(() =>
      this.db
        .transaction(() => {
          const previous = this.db.prepare<[], { value: string }>("SELECT value FROM kv WHERE key = 'shadow_ruleset'").get();
          if (version === null) {
            this.db.prepare("DELETE FROM kv WHERE key = 'shadow_ruleset'").run();
          } else {
            const row = this.db.prepare<[number], { data: string }>("SELECT data FROM rulesets WHERE version = ?").get(version);
            if (!row) throw new VisibleError("RULESET_NOT_FOUND", `no ruleset version ${version}`);
            const ruleset = Ruleset.parse(JSON.parse(row.data));
            if (ruleset.status !== "draft")
              throw new VisibleError("RULESET_NOT_DRAFT", `version ${version} is ${ruleset.status}; only a draft can run in shadow`);
            // A shadow runs on every transaction, as the live ruleset does: checked as publishing is.
            validateRulesetContent(contentOf(ruleset));
            this.db
              .prepare("INSERT INTO kv (key, value) VALUES ('shadow_ruleset', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
              .run(String(version));
          }
          audit(this.db, Audit.shadowSet({ by: actor, at: this.clock().toISOString() }, version, previous ? Number(previous.value) : 0));
        })
        .immediate(),
    );
    this.changed(undefined);
  }
}
