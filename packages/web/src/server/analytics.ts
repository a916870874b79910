import "server-only";
import { platform } from "./runtime";

/*
 * Saved reports and backtests come from core's analytics services (`Reports`, `Backtests`) on the
 * platform. The dashboard sees them through the narrow shapes below: what its pages show.
 */

export type ReportParameterType = "date" | "string" | "integer" | "number";
export type ReportCell = string | number | boolean | null | ReportCell[];

export interface SavedReport {
  name: string;
  title: string;
  description: string;
  parameters: Array<{ name: string; type: ReportParameterType; label: string; description: string; default?: string | number }>;
  chart: { kind: "table" | "stat" | "bar" | "line" | "stacked_bar"; x?: string; y: string[] };
  sql: string;
  builtin: boolean;
}

export interface ReportOutput {
  report: string;
  params: Record<string, string | number>;
  columns: Array<{ name: string; type: string }>;
  rows: ReportCell[][];
  row_count: number;
  truncated: boolean;
  elapsed_ms: number;
}

export interface ReportService {
  list(): Promise<SavedReport[]>;
  get(name: string): Promise<SavedReport | undefined>;
  run(name: string, params: Record<string, unknown>, options?: { rowLimit?: number }): Promise<ReportOutput>;
  /** Checks a definition (schema, parameters against the SQL, the SQL by the engine's parser) and saves it. */
  save(input: unknown, actor: { id: string; role?: string }): Promise<SavedReport>;
}

export interface BacktestOutput {
  id?: number;
  ruleset_version: number | null;
  from: string;
  to: string;
  transactions: number;
  elapsed_ms: number;
  outcomes: { recorded: Record<"APPROVED" | "REVIEW" | "BLOCKED", number>; draft: Record<"APPROVED" | "REVIEW" | "BLOCKED", number> };
  /** Decisions of this version that took the fallback (a rule over its cost limit, out of time). */
  fallbacks: number;
  changes: Array<{ from: string; to: string; count: number; amount: number }>;
  rules: Array<{ id: string; name: string; hits: number; hit_rate: number; precision: number | null }>;
}

export interface BacktestService {
  run(version: number, range: { from: string; to: string }, actor: { id: string; role?: string }): Promise<BacktestOutput>;
  list(version: number): Promise<BacktestOutput[]>;
}

export async function reportService(): Promise<ReportService | undefined> {
  return (await platform()).reports;
}

export async function backtestService(): Promise<BacktestService | undefined> {
  return (await platform()).backtests;
}

export async function backtestAvailable(): Promise<boolean> {
  return (await backtestService()) !== undefined;
}
