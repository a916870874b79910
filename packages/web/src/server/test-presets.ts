import "server-only";
import { Demo, Transaction } from "@fraud/core";

export type Preset = { label: Demo.LabLabel; transaction: Omit<Transaction.TransactionInput, "transaction_id" | "timestamp"> };

/**
 * One transaction of each of the demo scenario's kinds, as the test form's presets: the demo
 * customers pay from their cities in the deployment's `country`, so the form starts from one.
 */
export function presets(country: string): Preset[] {
  const scenario = Demo.labScenario({ seed: 7, country });
  const out: Preset[] = [];
  for (const label of ["normal", "suspicious", "new_customer"] as const) {
    const found = scenario.find((s) => s.label === label);
    if (!found) continue;
    const { transaction_id: _id, timestamp: _ts, ...transaction } = found.transaction;
    out.push({ label, transaction });
  }
  return out;
}

export const customers = Demo.demoCustomers().map((c) => c.user_id);
export const transactionTypes = Transaction.TRANSACTION_TYPES;
