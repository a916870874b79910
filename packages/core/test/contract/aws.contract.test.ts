import { afterAll, beforeAll } from "vitest";
import { openAwsPlatform } from "../../src/adapters/aws/index.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { startEmulators, type Emulators } from "./emulators.ts";
import { portContracts } from "./suites.ts";

let emulators: Emulators;
let stream: string;
beforeAll(async () => {
  emulators = await startEmulators();
  stream = await emulators.createStream();
});
afterAll(async () => {
  await emulators?.stop();
});

portContracts("aws (DynamoDB, Kinesis emulators)", async (clock) => {
  const tables = await emulators.createTables();
  const p = openAwsPlatform({ tables, streamName: stream, settings: defaultSettings, clients: emulators.clients, clock, rulesetCacheMs: 0 });
  return {
    ...p,
    testDecisions: p.testDecisions!,
    events: async () => (await emulators.readStream(stream)).map((e) => e.decision.transaction_id),
    close: async () => {},
  };
});
