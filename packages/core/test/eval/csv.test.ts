import { describe, expect, it } from "vitest";
import { headerIndex, parseCsvLine, recordOf } from "../../src/tools/eval/csv.ts";

describe("CSV lines as the public data sets ship them", () => {
  it("splits plain fields, keeps empty ones, and drops a trailing carriage return", () => {
    expect(parseCsvLine("1,TRANSFER,,181.0\r")).toEqual(["1", "TRANSFER", "", "181.0"]);
    expect(parseCsvLine("")).toEqual([""]);
    expect(parseCsvLine("a,")).toEqual(["a", ""]);
  });

  it("reads quoted fields with commas and doubled quotes inside", () => {
    expect(parseCsvLine('0,"fraud_Rippin, Kub and Mann",misc_net,"say ""hi""",4.97')).toEqual([
      "0",
      "fraud_Rippin, Kub and Mann",
      "misc_net",
      'say "hi"',
      "4.97",
    ]);
    expect(parseCsvLine('"",x')).toEqual(["", "x"]);
  });

  it("refuses a line it cannot read rather than guessing", () => {
    expect(() => parseCsvLine('a,"unclosed')).toThrow(/unclosed quote/);
    expect(() => parseCsvLine('"a"b,c')).toThrow(/unexpected character/);
  });

  it("maps columns by name and names the ones a format needs but the file lacks", () => {
    const index = headerIndex("\uFEFFstep,type,amount", ["step", "amount"]);
    const row = recordOf(parseCsvLine("3,PAYMENT,9.5"), index);
    expect([row("step"), row("amount"), row("nope")]).toEqual(["3", "9.5", ""]);
    expect(() => headerIndex("step,type", ["step", "amount", "isFraud"])).toThrow("missing column(s): amount, isFraud");
  });
});
