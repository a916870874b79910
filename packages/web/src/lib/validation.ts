import { Errors } from "@fraud/core";
import type { z } from "zod";

/**
 * Field errors in the user's language. Core's schemas fail with zod issues (English messages for
 * API clients); the dashboard says them from its `validation` messages instead, looked up by:
 *   1. `fields.<field>.<code>`: what a check means for that field ("enter your password");
 *   2. `custom.<key>`: core's own checks, which name themselves with `params.key`;
 *   3. `codes.<code>_<origin>`, then `codes.<code>`: the generic check (too short, not a number);
 *   4. `codes.invalid`: never the English text in another language.
 */
export interface ValidationMessages {
  codes: Record<string, string>;
  custom: Record<string, string>;
  fields: Record<string, Record<string, string>>;
}

export type Say = (key: string, values: Record<string, string | number>) => string;

/** Values every message may name, so that a message never fails for a detail its check lacks. */
const BLANK = {
  origin: "",
  minimum: 0,
  maximum: 0,
  inclusive: "true",
  expected: "",
  format: "",
  divisor: 1,
  values: "",
  seconds: 0,
  rule: "",
  position: 0,
  cost: 0,
  limit: 0,
};

/** The field a path ends with: `rules.2.expression` -> `expression`. */
function leaf(path: string): string {
  return (
    path
      .split(".")
      .filter((s) => !/^\d+$/.test(s))
      .at(-1) ?? "_"
  );
}

export function messageKey(issue: Errors.FieldIssue, messages: ValidationMessages): string {
  const field = leaf(issue.field);
  // Own properties only: a field may be called "constructor".
  const byField = Object.hasOwn(messages.fields, field) ? messages.fields[field] : undefined;
  if (byField && Object.hasOwn(byField, issue.code)) return `fields.${field}.${issue.code}`;
  const key = issue.params.key;
  if (issue.code === "custom" && typeof key === "string" && Object.hasOwn(messages.custom, key)) return `custom.${key}`;
  const origin = issue.params.origin;
  if (typeof origin === "string" && Object.hasOwn(messages.codes, `${issue.code}_${origin}`)) return `codes.${issue.code}_${origin}`;
  if (Object.hasOwn(messages.codes, issue.code)) return `codes.${issue.code}`;
  return "codes.invalid";
}

/** Field errors from a failed parse (or core's issues), each said in the user's language. */
export function localFieldErrors(from: z.ZodError | readonly Errors.FieldIssue[], messages: ValidationMessages, say: Say): Errors.FieldErrors {
  return Errors.fieldErrors(from, (issue) => say(messageKey(issue, messages), { ...BLANK, ...issue.params }));
}
