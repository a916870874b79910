import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { Audit } from "../../audit/audit.ts";
import { BacktestRecord, BacktestResult } from "../../backtest/backtest.ts";
import { VisibleError } from "../../errors/errors.ts";
import type { BacktestStore, ReportStore } from "../../platform/ports.ts";
import { Report, ReportDefinition } from "../../report/report.ts";
import { auditPut } from "./audit.ts";
import { lostRace, queryAll, retryLostRaces, type TableNames } from "./clients.ts";
import { wrap } from "./profile-store.ts";
import { type Actor } from "../../user/users.ts";

const REPORT = "REPORT";
const ReportItem = z.object({ data: z.string(), updated_at: z.string(), updated_by: z.string() });
const MAX_ATTEMPTS = 10;

function toReport(item: unknown): Report {
  const r = ReportItem.parse(item);
  return Report.parse({ ...ReportDefinition.parse(JSON.parse(r.data)), builtin: false, updated_at: r.updated_at, updated_by: r.updated_by });
}

/**
 * Analysts' saved reports on DynamoDB, one item per name under one partition. A save or delete is
 * written with its audit entry in one transaction, conditional on the version it read (so the
 * audit's "before" is the version it replaced).
 */
export class AwsReportStore implements ReportStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "analytics" | "audit">,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list(): Promise<Report[]> {
    const items = await queryAll(this.db, {
      TableName: this.tables.analytics,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": REPORT },
      ConsistentRead: true,
    }).catch((e: unknown) => Promise.reject(wrap(e)));
    return items.map(toReport);
  }

  private async item(name: string) {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.analytics, Key: { pk: REPORT, sk: name }, ConsistentRead: true }));
    return Item ? ReportItem.parse(Item) : undefined;
  }

  async get(name: string): Promise<Report | undefined> {
    const item = await this.item(name).catch((e: unknown) => Promise.reject(wrap(e)));
    return item ? toReport(item) : undefined;
  }

  async save(definition: ReportDefinition, actor: Actor): Promise<Report> {
    const def = ReportDefinition.parse(definition);
    return retryLostRaces({ maxAttempts: MAX_ATTEMPTS, retryOn: lostRace }, async () => {
      const before = await this.item(def.name);
      const at = this.clock().toISOString();
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.analytics,
                Item: { pk: REPORT, sk: def.name, data: JSON.stringify(def), updated_at: at, updated_by: actor.id },
                ConditionExpression: before ? "updated_at = :seen" : "attribute_not_exists(sk)",
                ...(before ? { ExpressionAttributeValues: { ":seen": before.updated_at } } : {}),
              },
            },
            auditPut(this.tables.audit, Audit.reportSaved({ by: actor, at }, def, before ? JSON.parse(before.data) : undefined)),
          ],
        }),
      );
      return { ...def, builtin: false, updated_at: at, updated_by: actor.id };
    }).catch((e: unknown) => Promise.reject(wrap(e)));
  }

  async remove(name: string, actor: Actor): Promise<void> {
    await retryLostRaces({ maxAttempts: MAX_ATTEMPTS, retryOn: lostRace }, async () => {
      const before = await this.item(name);
      if (!before) throw new VisibleError("REPORT_NOT_FOUND", `no saved report named '${name}'`);
      const at = this.clock().toISOString();
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tables.analytics,
                Key: { pk: REPORT, sk: name },
                ConditionExpression: "updated_at = :seen",
                ExpressionAttributeValues: { ":seen": before.updated_at },
              },
            },
            auditPut(this.tables.audit, Audit.reportDeleted({ by: actor, at }, name, JSON.parse(before.data))),
          ],
        }),
      );
    }).catch((e: unknown) => Promise.reject(wrap(e)));
  }
}

const COUNTER = { pk: "COUNTER", sk: "backtest" };
const BacktestItem = z.object({ id: z.number().int(), ruleset_version: z.number().int(), created_at: z.string(), created_by: z.string(), data: z.string() });
const backtestKey = (id: number) => ({ pk: `BACKTEST#${id}`, sk: "-" });
/** Index keys: backtests of a version sorted by id (zero-padded: the index sorts strings). */
const rulesetKey = (version: number) => `v${version}`;
const seqKey = (id: number) => String(id).padStart(12, "0");

function toBacktest(item: unknown): BacktestRecord {
  const b = BacktestItem.parse(item);
  return BacktestRecord.parse({
    ...BacktestResult.parse(JSON.parse(b.data)),
    id: b.id,
    ruleset_version: b.ruleset_version,
    created_at: b.created_at,
    created_by: b.created_by,
  });
}

/** Backtest results on DynamoDB, numbered from a counter item, found by id or by ruleset version. */
export class AwsBacktestStore implements BacktestStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "analytics" | "audit">,
  ) {}

  async save(result: BacktestResult & { ruleset_version: number }, actor: Actor, at: Date): Promise<BacktestRecord> {
    const data = BacktestResult.parse(result);
    const created = at.toISOString();
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.analytics,
          Key: COUNTER,
          UpdateExpression: "ADD next_id :one",
          ExpressionAttributeValues: { ":one": 1 },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      const id = z.object({ next_id: z.number().int().positive() }).parse(Attributes).next_id;
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.analytics,
                Item: {
                  ...backtestKey(id),
                  ruleset: rulesetKey(result.ruleset_version),
                  seq: seqKey(id),
                  id,
                  ruleset_version: result.ruleset_version,
                  created_at: created,
                  created_by: actor.id,
                  data: JSON.stringify(data),
                },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            auditPut(this.tables.audit, Audit.backtestRun({ by: actor, at: created }, id, result.ruleset_version, data)),
          ],
        }),
      );
      return { ...data, id, ruleset_version: result.ruleset_version, created_at: created, created_by: actor.id };
    } catch (e) {
      throw wrap(e);
    }
  }

  async list(rulesetVersion: number): Promise<BacktestRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.tables.analytics,
      IndexName: "byRuleset",
      KeyConditionExpression: "#r = :r",
      ExpressionAttributeNames: { "#r": "ruleset" },
      ExpressionAttributeValues: { ":r": rulesetKey(rulesetVersion) },
      ScanIndexForward: false,
    }).catch((e: unknown) => Promise.reject(wrap(e)));
    return items.map(toBacktest);
  }

  async get(id: number): Promise<BacktestRecord | undefined> {
    const { Item } = await this.db
      .send(new GetCommand({ TableName: this.tables.analytics, Key: backtestKey(id), ConsistentRead: true }))
      .catch((e: unknown) => Promise.reject(wrap(e)));
    return Item ? toBacktest(Item) : undefined;
  }
}
