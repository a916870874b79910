import { describe, expect, it } from "vitest";
import { conditionFailed, lostRace, retryLostRaces } from "../../src/adapters/aws/clients.ts";

/** A TransactWriteItems cancellation as DynamoDB reports it, one reason per item. */
const cancelled = (...codes: string[]) =>
  Object.assign(new Error("cancelled"), { name: "TransactionCanceledException", CancellationReasons: codes.map((Code) => ({ Code })) });

describe("optimistic concurrency in the AWS adapters", () => {
  it("reads and writes again after a lost race, and returns what the winning attempt wrote", async () => {
    const seen: number[] = [];
    const result = await retryLostRaces({ maxAttempts: 5, retryOn: lostRace }, async (n) => {
      seen.push(n);
      if (n < 3) throw cancelled(n === 1 ? "ConditionalCheckFailed" : "TransactionConflict", "None");
      return "written";
    });
    expect([result, seen]).toEqual(["written", [1, 2, 3]]);
  });

  it("gives up after the last attempt with that attempt's error", async () => {
    let tries = 0;
    const last = cancelled("TransactionConflict");
    await expect(
      retryLostRaces({ maxAttempts: 4, retryOn: lostRace }, async () => {
        tries++;
        throw tries === 4 ? last : cancelled("TransactionConflict");
      }),
    ).rejects.toBe(last);
    expect(tries).toBe(4);
  });

  it("never retries an error that is not a lost race", async () => {
    let tries = 0;
    const broken = cancelled("ValidationError");
    await expect(
      retryLostRaces({ maxAttempts: 4, retryOn: lostRace }, async () => {
        tries++;
        throw broken;
      }),
    ).rejects.toBe(broken);
    expect(tries).toBe(1);
  });

  it("tells which item's condition failed", () => {
    expect([
      conditionFailed(cancelled("ConditionalCheckFailed", "None")),
      conditionFailed(cancelled("None", "ConditionalCheckFailed")),
      conditionFailed(cancelled("None", "ConditionalCheckFailed"), 1),
    ]).toEqual([true, false, true]);
    expect(conditionFailed(Object.assign(new Error("x"), { name: "ConditionalCheckFailedException" }))).toBe(false);
  });
});
