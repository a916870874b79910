import {
  BIGINT,
  BLOB,
  DATE,
  DECIMAL,
  DOUBLE,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  LIST,
  TIMESTAMP,
  TIMESTAMP_MS,
  TIMESTAMP_NS,
  TIMESTAMP_S,
  TIMESTAMPTZ,
  VARCHAR,
} from "@duckdb/node-api";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { columnType, converter } from "../../src/adapters/local/report-cells.ts";

/** Milliseconds since 1970 in years 1 to 9999, the times an ISO timestamp can show. */
const isoRange = fc.integer({ min: Date.parse("0001-01-01T00:00:00.000Z"), max: Date.parse("9999-12-31T23:59:59.999Z") });

describe("report cells from DuckDB values", () => {
  it("shows every timestamp precision as the ISO time in UTC, to the millisecond", () => {
    fc.assert(
      fc.property(isoRange, fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 }), (ms, extraMicros, extraNanos) => {
        const iso = new Date(ms).toISOString();
        const micros = BigInt(ms) * 1000n + BigInt(extraMicros);
        expect(converter(TIMESTAMP)(new DuckDBTimestampValue(micros))).toBe(iso);
        expect(converter(TIMESTAMPTZ)(new DuckDBTimestampTZValue(micros))).toBe(iso);
        expect(converter(TIMESTAMP_MS)(new DuckDBTimestampMillisecondsValue(BigInt(ms)))).toBe(iso);
        expect(converter(TIMESTAMP_NS)(new DuckDBTimestampNanosecondsValue(micros * 1000n + BigInt(extraNanos)))).toBe(iso);
      }),
    );
    expect(converter(TIMESTAMP_S)(new DuckDBTimestampSecondsValue(1_718_452_800n))).toBe("2024-06-15T12:00:00.000Z");
    // The last nanosecond of a millisecond, today and before 1970: still that millisecond.
    expect(converter(TIMESTAMP_NS)(new DuckDBTimestampNanosecondsValue(1_718_452_800_123_999_999n))).toBe("2024-06-15T12:00:00.123Z");
    expect(converter(TIMESTAMP_NS)(new DuckDBTimestampNanosecondsValue(-1n))).toBe("1969-12-31T23:59:59.999Z");
    // Microseconds past 2^53 (after 2255) are not exact as a double.
    expect(converter(TIMESTAMP)(new DuckDBTimestampValue(BigInt(Date.parse("4395-08-29T07:48:17.383Z")) * 1000n + 999n))).toBe("4395-08-29T07:48:17.383Z");
  });

  it("keeps DuckDB's own text for a timestamp outside years 1 to 9999", () => {
    const far = new DuckDBTimestampValue(BigInt(Date.parse("9999-12-31T00:00:00.000Z")) * 1000n + 2n * 86_400_000_000n);
    expect(converter(TIMESTAMP)(far)).toBe(far.toString());
  });

  it("gives numbers for integers and decimals, the date's text for a date, and arrays for lists", () => {
    expect(converter(BIGINT)(42n)).toBe(42);
    expect(converter(DECIMAL(10, 2))(new DuckDBDecimalValue(12345n, 10, 2))).toBe(123.45);
    expect(converter(DATE)(new DuckDBDateValue(19_889))).toBe("2024-06-15");
    expect(converter(LIST(TIMESTAMP))(new DuckDBListValue([new DuckDBTimestampValue(1_718_452_800_000_000n), null]))).toEqual([
      "2024-06-15T12:00:00.000Z",
      null,
    ]);
    expect(converter(VARCHAR)("card_testing")).toBe("card_testing");
    expect(converter(DOUBLE)(0.25)).toBe(0.25);
  });

  it("names each column's type as the dashboard shows it", () => {
    expect([BIGINT, DECIMAL(10, 2), DOUBLE, VARCHAR, DATE, TIMESTAMP, TIMESTAMPTZ, TIMESTAMP_NS, LIST(VARCHAR), BLOB].map(columnType)).toEqual([
      "number",
      "number",
      "number",
      "string",
      "date",
      "timestamp",
      "timestamp",
      "timestamp",
      "array",
      "other",
    ]);
  });
});
