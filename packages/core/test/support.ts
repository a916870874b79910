import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_RULESET } from "../src/demo/ruleset.ts";
import { applyTransaction, newProfile, type Profile } from "../src/profile/profile.ts";
import { compileRuleset, RulesetContent, type CompiledRuleset, type RulesetContentInput } from "../src/ruleset/ruleset.ts";
import { parseTransaction, type Transaction, type TransactionInput } from "../src/transaction/transaction.ts";

/** The fixed "now" of the tests: a summer Sunday, noon UTC (13:00 in Douala). */
export const NOW = new Date("2025-06-15T12:00:00.000Z");
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** ISO time `offsetMs` after NOW (negative: before). */
export function at(offsetMs: number): string {
  return new Date(NOW.getTime() + offsetMs).toISOString();
}

let sequence = 0;

/** A valid transaction, through the same parser the API uses; fields override the defaults. */
export function tx(fields: Partial<TransactionInput> = {}): Transaction {
  const input = {
    transaction_id: `tx-${++sequence}`,
    user_id: "user-1",
    amount: 100,
    merchant_id: "merchant-1",
    timestamp: NOW.toISOString(),
    ...fields,
  };
  const now = new Date(Math.max(NOW.getTime(), Date.parse(input.timestamp)));
  const parsed = parseTransaction(input, { now });
  if (!parsed.ok) throw new Error(`test transaction is not valid: ${JSON.stringify(parsed.fields)}`);
  return parsed.transaction;
}

/** A customer whose account is a year old, with no activity yet. */
export function customer(overrides: Partial<Profile> = {}): Profile {
  return { ...newProfile("user-1", at(-365 * DAY)), risk_level: "LOW", ...overrides };
}

/** The profile after the given APPROVED transactions, applied in order. */
export function withHistory(profile: Profile, history: Array<Partial<TransactionInput>>): Profile {
  return history.reduce((p, fields) => applyTransaction(p, tx({ user_id: p.user_id, ...fields }), fields.timestamp ?? NOW.toISOString()), profile);
}

export function compile(content: RulesetContentInput, version = 1): CompiledRuleset {
  return compileRuleset({ version, ...RulesetContent.parse(content) });
}

export const demoRuleset = (): CompiledRuleset => compile(DEMO_RULESET);

/** A fresh directory under the OS temp dir; `cleanup` removes every directory made so far. */
export function tempDirs() {
  const made: string[] = [];
  return {
    make(prefix = "fraud-core-test-"): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanup(): void {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
