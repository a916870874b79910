import { afterAll, beforeAll } from "vitest";
import { openAwsPlatform } from "../../src/adapters/aws/index.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { startEmulators, type Emulators } from "./emulators.ts";
import { portContracts } from "./suites.ts";

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.stop();
});

portContracts("aws (DynamoDB emulator)", async (clock) => {
  const tables = await emulators.createTables();
  const p = openAwsPlatform({ tables, settings: defaultSettings, clients: emulators.clients, clock, rulesetCacheMs: 0 });
  return {
    ...p,
    testDecisions: p.testDecisions!,
    // The decisions table's change stream is the outbox.
    events: async () => emulators.outbox(tables.decisions).map((d) => d.transaction_id),
    close: async () => {},
  };
});
