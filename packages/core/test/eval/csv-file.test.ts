import { describe, expect, it } from "vitest";
import { DEMO_RULESET } from "../../src/demo/ruleset.ts";
import { VisibleError } from "../../src/errors/errors.ts";
import { csvLines, indexCsvFile, MAX_SORTED_IN_MEMORY_BYTES, replayCsvFile, rowsInTimeOrder, type CsvFile } from "../../src/tools/eval/csv-file.ts";
import { customerHalf, PAYSIM, PAYSIM_EPOCH } from "../../src/tools/eval/formats.ts";
import { compileRuleset, RulesetContent } from "../../src/ruleset/ruleset.ts";

const PAYSIM_HEADER = "step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,newbalanceDest,isFraud,isFlaggedFraud";
/** Three customers; C1 is drained (fraud), C2 pays twice, C3 moves part of a balance. Out of time order. */
const SMALL = [
  PAYSIM_HEADER,
  "5,PAYMENT,120.0,C2,1000.0,880.0,M9,0.0,0.0,0,0",
  "2,TRANSFER,5000.0,C1,5000.0,0.0,C7,0.0,0.0,1,0",
  "3,CASH_OUT,200.0,C3,900.0,700.0,C8,0.0,0.0,0,0",
  "1,PAYMENT,80.0,C2,1080.0,1000.0,M9,0.0,0.0,0,0",
].join("\n");

/** A file in memory, handed over in chunks of `chunkBytes`; `reads` counts whole reads. */
function memoryFile(text: string, chunkBytes = 7, size?: number): CsvFile & { reads: number } {
  const bytes = Buffer.from(text, "utf8");
  const file = {
    name: "data.csv",
    reads: 0,
    async *chunks() {
      for (let i = 0; i < bytes.length; i += chunkBytes) yield new Uint8Array(bytes.subarray(i, i + chunkBytes));
    },
    size: () => size ?? bytes.length,
    readAll: () => {
      file.reads++;
      return bytes;
    },
  };
  return file;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const drain = compileRuleset({
  version: 0,
  ...RulesetContent.parse({
    thresholds: { review: 50, block: 80 },
    rules: [{ id: "DRAIN", name: "drain", expression: "balance_after != null && balance_after == 0.0", score: 90 }],
  }),
});

describe("a data set file's lines", () => {
  it("are cut at line feeds whatever the chunks, with each line's byte offset and length", async () => {
    const text = "é,1\r\nab\n\nlast";
    const expected = [
      { line: "é,1\r", offset: 0, length: 5 },
      { line: "ab", offset: 6, length: 2 },
      { line: "", offset: 9, length: 0 },
      { line: "last", offset: 10, length: 4 },
    ];
    for (const chunk of [1, 2, 3, 64]) expect(await collect(csvLines(memoryFile(text, chunk).chunks()))).toEqual(expected);
  });
});

describe("indexing a data set file", () => {
  it("keeps each data row's time and place, and sees the file is out of time order", async () => {
    const idx = await indexCsvFile(memoryFile(`${SMALL}\n\n`), PAYSIM, Infinity);
    expect(idx).toMatchObject({ header: PAYSIM_HEADER, rows: 4, sorted: false });
    expect([...idx.times]).toEqual([5, 2, 3, 1].map((step) => PAYSIM_EPOCH + step * 3_600_000));
    const lines = SMALL.split("\n");
    expect([...idx.offsets]).toEqual([1, 2, 3, 4].map((i) => lines.slice(0, i).join("\n").length + 1));
    expect([...idx.lengths]).toEqual(lines.slice(1).map((l) => l.length));
  });

  it("stops at the row limit and names the file in what it refuses", async () => {
    expect((await indexCsvFile(memoryFile(SMALL), PAYSIM, 2)).rows).toBe(2);
    await expect(indexCsvFile(memoryFile("a,b\n1,2\n"), PAYSIM, Infinity)).rejects.toThrow(
      new VisibleError("INVALID_FILE", `data.csv is not a paysim file: missing column(s): ${PAYSIM.columns.join(", ")}`),
    );
    await expect(indexCsvFile(memoryFile(`${PAYSIM_HEADER}\n1,PAYMENT,"80.0,C2\n`), PAYSIM, Infinity)).rejects.toThrow(
      /^data\.csv, data row 1: unclosed quote$/,
    );
    await expect(indexCsvFile(memoryFile(""), PAYSIM, Infinity)).rejects.toThrow("data.csv is empty");
  });
});

describe("the rows of a data set file in time order", () => {
  it("come sorted by time, ties in file order, each with its row number in the file", async () => {
    const text = [
      PAYSIM_HEADER,
      "5,PAYMENT,1.0,C2,0,0,M9,0,0,0,0",
      "2,PAYMENT,2.0,C1,0,0,M9,0,0,0,0",
      "5,PAYMENT,3.0,C3,0,0,M9,0,0,0,0",
      "1,PAYMENT,4.0,C4,0,0,M9,0,0,0,0",
    ].join("\n");
    const file = memoryFile(text);
    const rows = await collect(rowsInTimeOrder(file, await indexCsvFile(file, PAYSIM, Infinity)));
    expect(rows.map((r) => r.rowNumber)).toEqual([4, 2, 1, 3]);
    expect(rows.map((r) => r.line)).toEqual([4, 2, 1, 3].map((n) => text.split("\n")[n]));
  });

  it("are streamed from a file already in order, without reading it whole, up to the limit", async () => {
    const text = [PAYSIM_HEADER, "1,PAYMENT,1.0,C2,0,0,M9,0,0,0,0", "", "2,PAYMENT,2.0,C1,0,0,M9,0,0,0,0", "3,PAYMENT,3.0,C3,0,0,M9,0,0,0,0"].join("\n");
    const file = memoryFile(text);
    const rows = await collect(rowsInTimeOrder(file, await indexCsvFile(file, PAYSIM, 2)));
    expect(rows).toEqual([
      { line: "1,PAYMENT,1.0,C2,0,0,M9,0,0,0,0", rowNumber: 1 },
      { line: "2,PAYMENT,2.0,C1,0,0,M9,0,0,0,0", rowNumber: 2 },
    ]);
    expect(file.reads).toBe(0);
  });

  it("are refused for a file out of order too large to sort in memory", async () => {
    const file = memoryFile(SMALL, 7, MAX_SORTED_IN_MEMORY_BYTES + 1);
    const idx = await indexCsvFile(file, PAYSIM, Infinity);
    await expect(collect(rowsInTimeOrder(file, idx))).rejects.toThrow(
      new VisibleError("FILE_TOO_LARGE", "data.csv is not in time order and too large to sort in memory: sort it by time first"),
    );
    expect(file.reads).toBe(0);
  });
});

describe("replaying a data set file", () => {
  it("scores its rows in time order and reports detection, and the rows it could not take", async () => {
    const file = memoryFile(`${SMALL}\n5,CASH_OUT,0.0,C4,0.0,0.0,C8,0.0,0.0,1,0\n`);
    const report = await replayCsvFile(file, await indexCsvFile(file, PAYSIM, Infinity), PAYSIM, { ruleset: drain });
    expect(report).toMatchObject({
      rows: 4,
      frauds: 1,
      flagged: 1,
      true_positives: 1,
      detection_rate: 1,
      false_positive_rate: 0,
      skipped: 1,
      skipped_frauds: 1,
      decisions: { APPROVED: 3, REVIEW: 0, BLOCKED: 1 },
    });
    expect(report.skip_reasons).toEqual({ "amount: must be greater than 0": 1 });
  });

  it("takes only one half's customers when asked", async () => {
    const file = memoryFile(SMALL);
    const idx = await indexCsvFile(file, PAYSIM, Infinity);
    const ruleset = compileRuleset({ version: 0, ...RulesetContent.parse(DEMO_RULESET) });
    const customers = ["C1", "C2", "C2", "C3"];
    for (const half of ["A", "B"] as const) {
      const report = await replayCsvFile(file, idx, PAYSIM, { ruleset, half });
      expect(report.rows).toBe(customers.filter((c) => customerHalf(c) === half).length);
    }
  });
});
