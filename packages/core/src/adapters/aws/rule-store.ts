import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { Audit } from "../../audit/audit.ts";
import { VisibleError } from "../../errors/errors.ts";
import type { RuleStore, ShadowRulesetStore } from "../../platform/ports.ts";
import { contentOf, Ruleset, validateRulesetContent, type RulesetContent } from "../../ruleset/ruleset.ts";
import { auditPut } from "./audit.ts";
import { cancellationCodes, conditionFailed, errorName, queryAll, retryLostRaces, type TableNames, type TransactItem } from "./clients.ts";
import { wrap } from "./profile-store.ts";
import { type Actor } from "../../user/users.ts";

const RULESET = "RULESET";
const LIVE = "LIVE";
const SHADOW = "SHADOW";
const RulesetItem = z.object({ data: z.string() });
const LiveItem = z.object({ live_version: z.number().int().nonnegative() });
const ShadowItem = z.object({ shadow_version: z.number().int().positive().optional() });
const MAX_ATTEMPTS = 10;

/** The new live version: a stored draft that is published, or a new version written published (a rollback's copy). */
type Publication = { kind: "draft"; ruleset: Ruleset } | { kind: "copy"; ruleset: Ruleset };

/**
 * Versioned rulesets on DynamoDB: every version under one partition (sorted by version) and
 * pointer items to the live and the shadow one. Publishing moves the pointer, archives the
 * previous live version, clears a shadow pointer that named the new version and writes the audit
 * entry in one transaction, conditional on the pointer not having moved; a rollback also writes
 * its copy in that transaction, so a rollback that fails leaves no version behind.
 */
export class AwsRuleStore implements RuleStore, ShadowRulesetStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "rulesets" | "audit">,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async liveVersion(): Promise<number> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.rulesets, Key: { pk: LIVE, version: 0 }, ConsistentRead: true }));
    return Item ? LiveItem.parse(Item).live_version : 0;
  }

  async live(): Promise<Ruleset | undefined> {
    const v = await this.liveVersion();
    return v === 0 ? undefined : this.get(v);
  }

  async get(version: number): Promise<Ruleset | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.rulesets, Key: { pk: RULESET, version }, ConsistentRead: true }));
    return Item ? Ruleset.parse(JSON.parse(RulesetItem.parse(Item).data)) : undefined;
  }

  async versions(): Promise<Ruleset[]> {
    const out: Ruleset[] = [];
    for (const item of await queryAll(this.db, {
      TableName: this.tables.rulesets,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": RULESET },
      ScanIndexForward: false,
      ConsistentRead: true,
    }))
      out.push(Ruleset.parse(JSON.parse(RulesetItem.parse(item).data)));
    return out;
  }

  private async latestVersion(): Promise<number> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tables.rulesets,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": RULESET },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
        ProjectionExpression: "version",
      }),
    );
    return z.object({ version: z.number() }).optional().parse(page.Items?.[0])?.version ?? 0;
  }

  /** Stores a new version as a draft; the version number is taken with a conditional put. */
  private async insert(content: RulesetContent, actor: Actor, note: string, extra: (r: Ruleset) => TransactItem[] = () => []): Promise<Ruleset> {
    // A lost race: another writer took the version number first.
    return retryLostRaces({ maxAttempts: MAX_ATTEMPTS, retryOn: (e) => conditionFailed(e) }, async () => {
      const version = (await this.latestVersion()) + 1;
      const at = this.clock().toISOString();
      const ruleset = Ruleset.parse({
        ...content,
        version,
        status: "draft",
        note,
        created_at: at,
        created_by: actor.id,
        published_at: null,
        published_by: null,
      });
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.rulesets,
                Item: { pk: RULESET, version, status: "draft", data: JSON.stringify(ruleset) },
                ConditionExpression: "attribute_not_exists(version)",
              },
            },
            ...extra(ruleset),
          ],
        }),
      );
      return ruleset;
    }).catch((e: unknown) => Promise.reject(wrap(e)));
  }

  async saveDraft(content: RulesetContent, actor: Actor, note = ""): Promise<Ruleset> {
    const valid = validateRulesetContent(content);
    return this.insert(valid, actor, note, (draft) => [auditPut(this.tables.audit, Audit.rulesetDrafted({ by: actor, at: draft.created_at }, draft, note))]);
  }

  private async makeLive(publication: Publication, actor: Actor, how: "ruleset.publish" | "ruleset.rollback"): Promise<Ruleset> {
    const { ruleset } = publication;
    const [previous, shadow] = await Promise.all([this.liveVersion(), this.shadowVersion()]);
    const prev = previous === 0 ? undefined : await this.get(previous);
    const at = this.clock().toISOString();
    const published: Ruleset = { ...ruleset, status: "published", published_at: at, published_by: actor.id };
    const items: TransactItem[] = [
      publication.kind === "draft"
        ? {
            Update: {
              TableName: this.tables.rulesets,
              Key: { pk: RULESET, version: ruleset.version },
              UpdateExpression: "SET #status = :published, #data = :data",
              ConditionExpression: "#status = :draft",
              ExpressionAttributeNames: { "#status": "status", "#data": "data" },
              ExpressionAttributeValues: { ":published": "published", ":draft": "draft", ":data": JSON.stringify(published) },
            },
          }
        : {
            Put: {
              TableName: this.tables.rulesets,
              Item: { pk: RULESET, version: ruleset.version, status: "published", data: JSON.stringify(published) },
              ConditionExpression: "attribute_not_exists(version)",
            },
          },
      {
        Update: {
          TableName: this.tables.rulesets,
          Key: { pk: LIVE, version: 0 },
          UpdateExpression: "SET live_version = :v",
          ConditionExpression: previous === 0 ? "attribute_not_exists(live_version)" : "live_version = :prev",
          ExpressionAttributeValues: { ":v": ruleset.version, ...(previous === 0 ? {} : { ":prev": previous }) },
        },
      },
      // A shadow ruleset that goes live has nothing left to be compared with.
      shadow === ruleset.version
        ? {
            Update: {
              TableName: this.tables.rulesets,
              Key: { pk: SHADOW, version: 0 },
              UpdateExpression: "REMOVE shadow_version",
              ConditionExpression: "shadow_version = :v",
              ExpressionAttributeValues: { ":v": ruleset.version },
            },
          }
        : {
            Update: {
              TableName: this.tables.rulesets,
              Key: { pk: SHADOW, version: 0 },
              UpdateExpression: "SET checked_at = :at",
              ConditionExpression: "attribute_not_exists(shadow_version) OR shadow_version <> :v",
              ExpressionAttributeValues: { ":v": ruleset.version, ":at": at },
            },
          },
      auditPut(this.tables.audit, Audit.rulesetLive({ by: actor, at }, how, ruleset.version, previous)),
    ];
    if (prev) {
      items.push({
        Update: {
          TableName: this.tables.rulesets,
          Key: { pk: RULESET, version: previous },
          UpdateExpression: "SET #status = :archived, #data = :data",
          ExpressionAttributeNames: { "#status": "status", "#data": "data" },
          ExpressionAttributeValues: { ":archived": "archived", ":data": JSON.stringify({ ...prev, status: "archived" }) },
        },
      });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (e) {
      if (errorName(e) === "TransactionCanceledException") {
        const [version, pointer, shadowPointer] = cancellationCodes(e);
        if (version === "ConditionalCheckFailed") {
          if (publication.kind === "copy") throw new VersionTaken();
          throw new VisibleError("RULESET_NOT_DRAFT", `version ${ruleset.version} is no longer a draft`);
        }
        if (pointer === "ConditionalCheckFailed" || shadowPointer === "ConditionalCheckFailed") {
          throw new VisibleError("RULESET_LIVE_CHANGED", "another ruleset was published at the same time; reload and try again");
        }
      }
      throw wrap(e);
    }
    return published;
  }

  async publish(version: number, actor: Actor): Promise<Ruleset> {
    const ruleset = await this.get(version);
    if (!ruleset) throw new VisibleError("RULESET_NOT_FOUND", `no ruleset version ${version}`);
    if (ruleset.status !== "draft") throw new VisibleError("RULESET_NOT_DRAFT", `version ${version} is ${ruleset.status}; only a draft can be published`);
    validateRulesetContent(contentOf(ruleset));
    return this.makeLive({ kind: "draft", ruleset }, actor, "ruleset.publish");
  }

  async rollback(toVersion: number, actor: Actor): Promise<Ruleset> {
    const target = await this.get(toVersion);
    if (!target) throw new VisibleError("RULESET_NOT_FOUND", `no ruleset version ${toVersion}`);
    if (target.published_at === null) throw new VisibleError("RULESET_NEVER_PUBLISHED", `version ${toVersion} was never published`);
    // Going live again is checked as publishing is: a version from before a check is refused.
    validateRulesetContent(contentOf(target));
    return retryLostRaces({ maxAttempts: MAX_ATTEMPTS, retryOn: (e) => e instanceof VersionTaken }, async () => {
      const version = (await this.latestVersion()) + 1;
      const copy = Ruleset.parse({
        ...contentOf(target),
        version,
        status: "draft",
        note: `rollback to version ${toVersion}`,
        created_at: this.clock().toISOString(),
        created_by: actor.id,
        published_at: null,
        published_by: null,
      });
      return this.makeLive({ kind: "copy", ruleset: copy }, actor, "ruleset.rollback");
    });
  }

  async shadowVersion(): Promise<number> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.rulesets, Key: { pk: SHADOW, version: 0 }, ConsistentRead: true }));
    return (Item ? ShadowItem.parse(Item).shadow_version : undefined) ?? 0;
  }

  async setShadow(version: number | null, actor: Actor): Promise<void> {
    const previous = await this.shadowVersion();
    const at = this.clock().toISOString();
    const items: TransactItem[] = [];
    if (version === null) {
      items.push({ Update: { TableName: this.tables.rulesets, Key: { pk: SHADOW, version: 0 }, UpdateExpression: "REMOVE shadow_version" } });
    } else {
      const ruleset = await this.get(version);
      if (!ruleset) throw new VisibleError("RULESET_NOT_FOUND", `no ruleset version ${version}`);
      if (ruleset.status !== "draft") throw new VisibleError("RULESET_NOT_DRAFT", `version ${version} is ${ruleset.status}; only a draft can run in shadow`);
      // A shadow runs on every transaction, as the live ruleset does: checked as publishing is.
      validateRulesetContent(contentOf(ruleset));
      items.push(
        {
          Update: {
            TableName: this.tables.rulesets,
            Key: { pk: SHADOW, version: 0 },
            UpdateExpression: "SET shadow_version = :v",
            ExpressionAttributeValues: { ":v": version },
          },
        },
        // Still a draft when the pointer moves: a publish in between cancels this.
        {
          Update: {
            TableName: this.tables.rulesets,
            Key: { pk: RULESET, version },
            UpdateExpression: "SET #status = :draft",
            ConditionExpression: "#status = :draft",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: { ":draft": "draft" },
          },
        },
      );
    }
    items.push(auditPut(this.tables.audit, Audit.shadowSet({ by: actor, at }, version, previous)));
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (e) {
      if (errorName(e) === "TransactionCanceledException" && cancellationCodes(e)[1] === "ConditionalCheckFailed") {
        throw new VisibleError("RULESET_NOT_DRAFT", `version ${version} is no longer a draft`);
      }
      throw wrap(e);
    }
  }
}

/** The version number a rollback's copy was to take was taken by another writer: take the next. */
class VersionTaken extends Error {}
