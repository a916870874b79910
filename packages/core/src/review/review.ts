import { z } from "zod";
import { DECISIONS, type AlertingDecision } from "../ruleset/ruleset.ts";
import { Text } from "../transaction/transaction.ts";

/** A case is a transaction that was sent to review or blocked, and what the analysts did with it. */
export const CASE_STATUSES = ["open", "assigned", "closed"] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** The analyst's verdict: it is what precision and detection figures are computed from. */
export const LABELS = ["fraud", "legitimate"] as const;
export type Label = (typeof LABELS)[number];

export const CASE_ACTIONS = ["assign", "label", "note", "release"] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export const Note = z.string().trim().max(2_000, "must be at most 2,000 characters");

export const Case = z.object({
  transaction_id: z.string(),
  user_id: z.string(),
  decision: z.enum(DECISIONS),
  score: z.number(),
  amount: z.number(),
  currency: z.string(),
  rules: z.array(z.string()),
  decided_at: z.string(),
  status: z.enum(CASE_STATUSES),
  assignee: z.string().nullable(),
  label: z.enum(LABELS).nullable(),
  updated_at: z.string().nullable(),
});
export type Case = z.infer<typeof Case>;

export const CaseEvent = z.object({
  id: z.number().int(),
  transaction_id: z.string(),
  at: z.string(),
  author: z.string(),
  action: z.enum(CASE_ACTIONS),
  note: z.string(),
});
export type CaseEvent = z.infer<typeof CaseEvent>;

/** Inputs of the review queue's actions, validated the same way by the dashboard and the stores. */
export const AssignCase = z.strictObject({ transaction_id: Text, assignee: Text.nullable() });
export type AssignCase = z.infer<typeof AssignCase>;

export const LabelCase = z.strictObject({ transaction_id: Text, label: z.enum(LABELS), note: Note.default("") });
export type LabelCase = z.input<typeof LabelCase>;

export const AddNote = z.strictObject({ transaction_id: Text, note: Note.min(1, "write a note") });
export type AddNote = z.infer<typeof AddNote>;

export interface CaseQuery {
  /** Open cases (not yet labelled) by default. */
  status?: "open" | "closed" | "all";
  decision?: AlertingDecision;
  assignee?: string;
  limit?: number;
}

/** Labelled cases per decision outcome: precision is the share labelled fraud. */
export interface LabelStats {
  by_decision: Record<AlertingDecision, { fraud: number; legitimate: number }>;
  by_rule: Record<string, { fraud: number; legitimate: number }>;
}

export function precision(counts: { fraud: number; legitimate: number }): number | null {
  const n = counts.fraud + counts.legitimate;
  return n === 0 ? null : counts.fraud / n;
}
