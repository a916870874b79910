import { afterAll, beforeAll } from "vitest";
import { openAwsPlatform } from "../../src/adapters/aws/index.ts";
import { defaultSettings } from "../../src/settings.ts";
import { dashboardContracts } from "./dashboard-suites.ts";
import { startEmulators, type Emulators } from "./emulators.ts";

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.stop();
});

dashboardContracts("aws (DynamoDB emulator)", async (clock) => {
  const tables = await emulators.createTables();
  const p = openAwsPlatform({ tables, streamName: "unused", settings: defaultSettings, clients: emulators.clients, clock });
  return { users: p.users, sessions: p.sessions, auditTrail: p.auditTrail, close: async () => {} };
});
