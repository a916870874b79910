import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll } from "vitest";
import { AwsBacktestStore, AwsReportStore, openAwsPlatform, recordScoredEvent } from "../../src/adapters/aws/index.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { analystContracts } from "./analyst-suites.ts";
import { startEmulators, type Emulators } from "./emulators.ts";

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.stop();
});

analystContracts("aws (DynamoDB emulator)", async (clock) => {
  const tables = await emulators.createTables();
  const p = openAwsPlatform({ tables, settings: defaultSettings, clients: emulators.clients, clock, rulesetCacheMs: 0 });
  return {
    scoring: p.scoring,
    rules: p.rules,
    reviews: p.reviews,
    alerts: p.alerts,
    metrics: p.metrics,
    reportStore: new AwsReportStore(emulators.clients.dynamo, tables, clock),
    backtestStore: new AwsBacktestStore(emulators.clients.dynamo, tables),
    // What the consumer Lambda does with each decision the outbox (the decisions table's stream) forwards.
    async deliver() {
      for (const decision of emulators.outbox(tables.decisions)) await recordScoredEvent(p, decision);
    },
    async overwrite(ruleset) {
      await emulators.clients.dynamo.send(
        new UpdateCommand({
          TableName: tables.rulesets,
          Key: { pk: "RULESET", version: ruleset.version },
          UpdateExpression: "SET #data = :data",
          ExpressionAttributeNames: { "#data": "data" },
          ExpressionAttributeValues: { ":data": JSON.stringify(ruleset) },
        }),
      );
    },
    close: async () => {},
  };
});
