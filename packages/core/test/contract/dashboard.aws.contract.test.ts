import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAwsPlatform, TABLE_SCHEMAS } from "../../src/adapters/aws/index.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { SIGN_IN_THROTTLE } from "../../src/user/throttle.ts";
import { dashboardContracts } from "./dashboard-suites.ts";
import { signInThrottleContracts } from "./sign-in-suites.ts";
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
  const p = openAwsPlatform({ tables, settings: defaultSettings, clients: emulators.clients, clock });
  return { users: p.users, sessions: p.sessions, auditTrail: p.auditTrail, signInThrottle: p.signInThrottle, close: async () => {} };
});

signInThrottleContracts("aws (DynamoDB emulator)", async (clock) => {
  const tables = await emulators.createTables();
  return {
    open: async () => openAwsPlatform({ tables, settings: defaultSettings, clients: emulators.clients, clock }).signInThrottle,
    close: async () => {},
  };
});

describe("aws (DynamoDB emulator): sign-in attempts in the users table", () => {
  it("gives every count the table's TTL attribute, a day after its last attempt", async () => {
    const tables = await emulators.createTables();
    const at = new Date("2025-06-15T12:00:00.000Z");
    const p = openAwsPlatform({ tables, settings: defaultSettings, clients: emulators.clients, clock: () => at });
    await p.signInThrottle.attempt([
      { kind: "user", id: "ana" },
      { kind: "address", id: "203.0.113.7" },
    ]);
    const { Items } = await emulators.clients.dynamo.send(
      new QueryCommand({ TableName: tables.users, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": "SIGNIN" } }),
    );
    expect(Items?.map((i) => [i.sk, i.failures, i.expires_epoch])).toEqual([
      ["address:203.0.113.7", 1, (at.getTime() + SIGN_IN_THROTTLE.keepMs) / 1_000],
      ["user:ana", 1, (at.getTime() + SIGN_IN_THROTTLE.keepMs) / 1_000],
    ]);
    expect(TABLE_SCHEMAS.users.ttl).toBe("expires_epoch");
  });
});
