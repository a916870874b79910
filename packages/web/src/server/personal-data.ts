import "server-only";
import { can, maskPersonalData, type User } from "@fraud/core";
import type { ReportCell, ReportOutput } from "./analytics";

const asStored = (text: string) => text;

/** How this person sees emails and phone numbers: as stored, or masked for a viewer. */
export function personalData(user: User): (text: string) => string {
  return can(user.role, "personal.read") ? asStored : maskPersonalData;
}

/** A report's text cells as this person may see them: the table and its CSV export alike. */
export function reportFor(user: User, output: ReportOutput): ReportOutput {
  const show = personalData(user);
  if (show === asStored) return output;
  const cell = (c: ReportCell): ReportCell => (typeof c === "string" ? show(c) : Array.isArray(c) ? c.map(cell) : c);
  return { ...output, rows: output.rows.map((r) => r.map(cell)) };
}
