import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { openDashboard, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { importListCsv } = await import("@/actions/lists");

/*
 * The CSV list import's policy: every row is reported; valid rows are imported, invalid ones are
 * refused with their reasons; a file without the header or with too many rows imports nothing.
 */

let d: Dashboard;
beforeAll(async () => {
  d = await openDashboard();
  await d.platform.lists.add({ kind: "block", field: "device_id", value: "dev_known_bad", reason: "seen in fraud", expires_at: null }, { id: "test" });
});
afterAll(() => d?.close());
beforeEach(() => d.signInAs("admin"));

const count = () => d.platform.db.prepare("SELECT count(*) FROM lists WHERE removed_at IS NULL").pluck().get() as number;

async function importCsv(input: string | Uint8Array) {
  const form = new FormData();
  if (typeof input === "string") form.set("csv", input);
  else form.set("file", new File([input as Uint8Array<ArrayBuffer>], "list.csv", { type: "text/csv" }));
  return importListCsv({ status: "idle" }, form);
}

describe("CSV list import", () => {
  it("imports the valid rows and reports every malformed one by line, without a crash", async () => {
    const before = count();
    const huge = "u".repeat(1_000_000);
    const csv = [
      "kind,field,value,reason,expires_at",
      "block,user_id,user_bad_1,chargeback,", // 2: ok
      'allow,merchant_id,"MERCH, WITH COMMA",trusted partner,2999-12-31', // 3: ok (quoted comma)
      "block,user_id,user_bad_2,too few columns", // 4: 4 columns
      "block,user_id,user_bad_3,too many,,extra", // 5: 6 columns
      "block,user_id,user_bad_4,bad day,2025-02-30", // 6: a day that does not exist
      "block,user_id,user_bad_5,bad date,next tuesday", // 7: not a date
      "grey,user_id,user_bad_6,unknown list type,", // 8: unknown kind
      "block,email,someone@example.com,unknown field,", // 9: unknown field
      "block,device_id,dev_known_bad,already there,", // 10: duplicate of a stored entry
      "block,user_id,user_bad_1,again in this file,", // 11: duplicate of line 2
      `block,user_id,${huge},huge line,`, // 12: a 1 MB value
      "block,user_id,user_bad_7,,", // 13: no reason
      "block,user_id,user\u0007bad,control character,", // 14: control character
      "block,ip_address,203.0.113.9,scanner,2999-01-01T00:00:00Z", // 15: ok (ISO instant)
      'block,user_id,"user_bad_8,unterminated quote', // 16: swallows the rest: one cell
    ].join("\n");
    const result = await importCsv(csv);
    expect(result.status).toBe("error");
    expect(result.message).toBe("Import report: 3 imported, 12 failed");
    const byLine = new Map(result.data!.map((r) => [r.line, r]));
    expect([...byLine.keys()]).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(result.data!.filter((r) => r.ok).map((r) => r.line)).toEqual([2, 3, 15]);
    expect(byLine.get(4)!.messages).toEqual(["4 column(s) where the header has 5"]);
    expect(byLine.get(5)!.messages).toEqual(["6 column(s) where the header has 5"]);
    expect(byLine.get(6)!.messages.join()).toMatch(/^expires_at: /);
    expect(byLine.get(7)!.messages.join()).toMatch(/^expires_at: /);
    expect(byLine.get(8)!.messages.join()).toMatch(/^kind: /);
    expect(byLine.get(9)!.messages.join()).toMatch(/^field: /);
    expect(byLine.get(10)!.messages.join()).toMatch(/^already on the block list \(entry \d+\)$/);
    expect(byLine.get(11)!.messages.join()).toMatch(/^already on the block list/);
    expect(byLine.get(12)!.messages.join()).toMatch(/^value: must be at most 128 characters/);
    expect(byLine.get(12)!.value.length).toBeLessThanOrEqual(80);
    expect(byLine.get(13)!.messages.join()).toMatch(/^reason: /);
    expect(byLine.get(14)!.messages.join()).toMatch(/^value: /);
    expect(byLine.get(16)!.ok).toBe(false);
    // Exactly the three valid rows were stored, as written.
    expect(count()).toBe(before + 3);
    const stored = await d.platform.lists.find([
      { field: "user_id", value: "user_bad_1" },
      { field: "merchant_id", value: "MERCH, WITH COMMA" },
      { field: "ip_address", value: "203.0.113.9" },
    ]);
    expect(stored.map((e) => [e.kind, e.value, e.reason])).toEqual([
      ["block", "user_bad_1", "chargeback"],
      ["allow", "MERCH, WITH COMMA", "trusted partner"],
      ["block", "203.0.113.9", "scanner"],
    ]);
    expect(stored[1]!.expires_at).toMatch(/^2999-12-31T/);
  });

  it("refuses the lines of a file that is not UTF-8, and imports the rest unchanged", async () => {
    const before = count();
    const enc = new TextEncoder();
    const bytes = new Uint8Array([
      ...enc.encode("kind,field,value,reason\nblock,user_id,latin1_"),
      0xe9, // é in Latin-1: not UTF-8
      ...enc.encode(",fraud\nblock,user_id,utf8_é_ok,fraud\n"),
    ]);
    const result = await importCsv(bytes);
    expect(result.data!.map((r) => [r.line, r.ok, r.messages])).toEqual([
      [2, false, ["the line is not valid UTF-8 text: save the file as UTF-8"]],
      [3, true, []],
    ]);
    expect(count()).toBe(before + 1);
    expect((await d.platform.lists.find([{ field: "user_id", value: "utf8_é_ok" }])).length).toBe(1);
    expect(d.platform.db.prepare("SELECT count(*) FROM lists WHERE value LIKE '%' || char(65533) || '%'").pluck().get()).toBe(0);
  });

  it("imports nothing from a file without the header or with too many rows", async () => {
    const before = count();
    expect(await importCsv("block,user_id,no_header_1,fraud\n")).toMatchObject({
      status: "error",
      message: "Missing or incomplete header: kind, field, value and reason are required.",
    });
    const many = ["kind,field,value,reason", ...Array.from({ length: 5_001 }, (_, i) => `block,user_id,bulk_${i},fraud`)].join("\n");
    expect(await importCsv(many)).toMatchObject({ status: "error", message: "At most 5000 rows per import." });
    expect(await importCsv(" \n\n")).toMatchObject({ status: "error", message: "Choose a file or paste CSV." });
    expect(count()).toBe(before);
  });

  it("never crashes on arbitrary text or bytes, and stores exactly the rows it reports imported", async () => {
    const header = fc.constantFrom("kind,field,value,reason,expires_at\n", "kind,field,value,reason\n", "value,reason,kind,field\n", "");
    const cell = fc.oneof(
      fc.constantFrom("block", "allow", "user_id", "device_id", "x", "", '"', '""', ",", "2025-02-30", "2999-01-01"),
      fc.string({ maxLength: 20 }),
      fc.string({ unit: "binary", maxLength: 20 }),
    );
    const line = fc.array(cell, { maxLength: 7 }).map((cells) => cells.join(","));
    const text = fc.tuple(header, fc.array(line, { maxLength: 12 }), fc.constantFrom("\n", "\r\n", "\r")).map(([h, ls, eol]) => h + ls.join(eol));
    const input = fc.oneof(
      text,
      fc.uint8Array({ maxLength: 300 }),
      text.map((s) => new TextEncoder().encode(s)),
    );
    await fc.assert(
      fc.asyncProperty(input, async (x) => {
        const before = count();
        const result = await importCsv(x);
        expect(["ok", "error"]).toContain(result.status);
        const imported = (result.data ?? []).filter((r) => r.ok).length;
        expect(count() - before).toBe(imported);
      }),
      { numRuns: 150 },
    );
  });
});
