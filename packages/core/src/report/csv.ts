/*
 * The one CSV writer of the product: every file a person downloads goes through toCsv. Cells come
 * from API clients (transaction fields, customer ids) and from analysts' SQL (column names), so a
 * text cell is written for a spreadsheet to read as text, never as a formula.
 */

/**
 * A cell a spreadsheet would take for a formula or a command: one that starts with `=`, `+`, `-`,
 * `@`, tab, carriage return, line feed or NUL (OWASP's CSV injection list and ASVS 1.2.10), or
 * with the full-width `＝`, `＋`, `－`, `＠` that East Asian spreadsheet locales read the same way.
 */
const FORMULA_START = /^[=+\-@\t\r\n\0\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * One cell as RFC 4180 text. A finite JS number or a boolean is written as is: it cannot hold a
 * formula, and a negative amount stays a number the spreadsheet can add up. Any text is quoted,
 * and text that would start a formula gets a leading `'`, which spreadsheets read as "this is
 * text" (OWASP). Lists and objects are written as JSON, which starts with `[` or `{`.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean" || typeof value === "bigint") return String(value);
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll('"', '""')}"`;
}

/** A header row and data rows as CSV, lines ended by CRLF (RFC 4180). Header names are text like any other. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n");
}
