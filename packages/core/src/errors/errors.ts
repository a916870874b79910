import type { z } from "zod";

/**
 * Every code of an error a caller can act on, a closed set: the API returns it, and the
 * dashboard's message catalogue (packages/web/messages/*.json) says each one in every language.
 */
export const ERROR_CODES = [
  "ALERT_NOT_OPEN",
  "API_KEYS_NOT_USED",
  "API_KEY_EXISTS",
  "API_KEY_NOT_FOUND",
  "BACKTEST_CANCELLED",
  "CANNOT_RESET_OWN_PASSWORD",
  "CASE_CLOSED",
  "CASE_NOT_FOUND",
  "FILE_TOO_LARGE",
  "INVALID_BACKTEST_RANGE",
  "INVALID_FILE",
  "INVALID_LIST_ENTRY",
  "INVALID_OPTION",
  "INVALID_REPORT",
  "INVALID_REPORT_PARAMS",
  "INVALID_REPORT_SQL",
  "INVALID_RULESET",
  "INVALID_RULE_EXPRESSION",
  "LIST_ENTRY_NOT_FOUND",
  "NOT_FOUND",
  "NO_DATA",
  "NO_LIVE_RULESET",
  "PROFILE_NOT_FOUND",
  "REPORTS_BUSY",
  "REPORT_BUILTIN",
  "REPORT_CANCELLED",
  "REPORT_MEMORY_LIMIT",
  "REPORT_NAME_TAKEN",
  "REPORT_NOT_FOUND",
  "REPORT_SCAN_LIMIT",
  "REPORT_SQL_ERROR",
  "REPORT_SQL_REJECTED",
  "REPORT_TIMEOUT",
  "RULESET_LIVE_CHANGED",
  "RULESET_NEVER_PUBLISHED",
  "RULESET_NOT_DRAFT",
  "RULESET_NOT_FOUND",
  "USERNAME_TAKEN",
  "USER_NOT_FOUND",
  "WRONG_PASSWORD",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Whether a value is one of ERROR_CODES. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return (ERROR_CODES as readonly unknown[]).includes(value);
}

/** An error a caller can act on: it carries a stable code and, for bad input, the failing fields. */
export class VisibleError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldErrors,
    /** The same failures as data, for a client that says them in its own language. */
    readonly issues?: FieldIssue[],
  ) {
    super(message);
    this.name = "VisibleError";
  }
}

/** The store cannot accept writes right now (disk full, read-only): retry later, nothing was written. */
export class UnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UnavailableError";
  }
}

/** Errors by field name (dotted path; `_` for the whole input), each field's in English. */
export type FieldErrors = Record<string, string[]>;

/**
 * One failing field as data: the English message API clients read, and the check that failed
 * (`code`, zod's issue codes plus `custom` with `params.key`) with its limits, so that the
 * dashboard can say it in the user's language.
 */
export interface FieldIssue {
  field: string;
  code: string;
  message: string;
  params: Record<string, string | number>;
}

const DETAILS = ["origin", "minimum", "maximum", "inclusive", "expected", "format", "divisor"] as const;

/** The issues of a failed zod parse, one per field (an unknown key is named as the field). */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ field: key, code: "unrecognized_keys", message: "is not a known field", params: {} });
      continue;
    }
    const params: Record<string, string | number> = {};
    const raw = issue as unknown as Record<string, unknown>;
    for (const k of DETAILS) {
      const v = raw[k];
      if (typeof v === "number" || typeof v === "bigint") params[k] = Number(v);
      else if (typeof v === "string" || typeof v === "boolean") params[k] = String(v);
    }
    if (issue.code === "invalid_value") params.values = issue.values.map(String).join(", ");
    if (issue.code === "custom" && typeof issue.params?.key === "string") params.key = issue.params.key;
    out.push({ field: issue.path.map(String).join(".") || "_", code: issue.code, message: issue.message, params });
  }
  return out;
}

/**
 * Groups failures by field, in English or as `say` words each. The one place that turns zod's
 * issues into field errors: the API, the stores and the dashboard's server actions all use it.
 */
export function fieldErrors(from: z.ZodError | readonly FieldIssue[], say: (issue: FieldIssue) => string = (i) => i.message): FieldErrors {
  const issues = Array.isArray(from) ? (from as readonly FieldIssue[]) : fieldIssues(from as z.ZodError);
  // A Map, not `{}`: an unknown field may be called "constructor" or "__proto__".
  const fields = new Map<string, string[]>();
  for (const issue of issues) fields.set(issue.field, [...(fields.get(issue.field) ?? []), say(issue)]);
  return Object.fromEntries(fields);
}

/** The error for input that failed its schema: every failing field named, in English and as data. */
export function invalidInput(code: ErrorCode, message: string, error: z.ZodError): VisibleError {
  const issues = fieldIssues(error);
  return new VisibleError(code, message, fieldErrors(issues), issues);
}
