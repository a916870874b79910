/**
 * CSV as the public data sets ship it (RFC 4180: comma separated, fields optionally in double
 * quotes, `""` for a quote inside one). A record never spans lines in these files; a line with an
 * unclosed quote is refused rather than guessed.
 */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  const n = line.endsWith("\r") ? line.length - 1 : line.length;
  for (;;) {
    if (line[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0 || q >= n) throw new Error("unclosed quote");
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      if (i >= n) return fields;
      if (line[i] !== ",") throw new Error(`unexpected character after a quoted field at ${i}`);
      i++;
    } else {
      const comma = line.indexOf(",", i);
      if (comma < 0 || comma >= n) {
        fields.push(line.slice(i, n));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** Column name -> index, from a header line; throws naming the columns a format needs but lacks. */
export function headerIndex(header: string, required: readonly string[]): Map<string, number> {
  const names = parseCsvLine(header.replace(/^\uFEFF/, ""));
  const index = new Map(names.map((name, i) => [name.trim(), i]));
  const missing = required.filter((c) => !index.has(c));
  if (missing.length > 0) throw new Error(`missing column(s): ${missing.join(", ")}`);
  return index;
}

/** A record as a lookup by column name. */
export type CsvRecord = (column: string) => string;

export function recordOf(fields: readonly string[], index: ReadonlyMap<string, number>): CsvRecord {
  return (column) => {
    const i = index.get(column);
    return i === undefined ? "" : (fields[i] ?? "");
  };
}
