import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firehoseLakeRow, labelKey, openAwsPlatform, S3LakeReader } from "../../src/adapters/aws/index.ts";
import { DEMO_RULESET } from "../../src/demo/ruleset.ts";
import { LABEL_COLUMNS, LAKE_COLUMNS } from "../../src/lake/schema.ts";
import { RulesetContent } from "../../src/ruleset/ruleset.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { startEmulators, type Emulators } from "./emulators.ts";
import { tickingClock } from "./suites.ts";

// The lake bucket on AWS: what the dashboard lists, the rows Firehose is given, the review labels.

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.stop();
});

const body = (id: string, amount = 100) => ({ transaction_id: id, user_id: "user-7", amount, merchant_id: "m-1", timestamp: "2025-06-15T11:00:00.000Z" });

async function platformWith() {
  const tables = await emulators.createTables();
  const p = openAwsPlatform({ tables, settings: defaultSettings, clients: emulators.clients, clock: tickingClock(), rulesetCacheMs: 0 });
  await p.rules.publish((await p.rules.saveDraft(RulesetContent.parse(DEMO_RULESET), { id: "t" })).version, { id: "t" });
  return { p, tables };
}

describe("S3 lake reader", () => {
  it("lists the day partitions and files under raw/ and reads a file", async () => {
    const { s3 } = emulators.clients;
    const put = (Key: string, text: string) => s3.send(new PutObjectCommand({ Bucket: emulators.s3Bucket, Key, Body: text }));
    await put("raw/dt=2025-06-14/part-1.parquet", "PAR1-a");
    await put("raw/dt=2025-06-15/part-2.parquet", "PAR1-bb");
    await put("error/processing-failed/dt=2025-06-15/x", "bad");
    const lake = new S3LakeReader(s3, emulators.s3Bucket);
    expect(await lake.partitions()).toEqual(["2025-06-14", "2025-06-15"]);
    const files = await lake.files("2025-06-15");
    expect(files.map((f) => [f.key, f.dt, f.size])).toEqual([["raw/dt=2025-06-15/part-2.parquet", "2025-06-15", 7]]);
    expect((await lake.files()).length).toBe(2);
    expect(new TextDecoder().decode(await lake.read("raw/dt=2025-06-14/part-1.parquet"))).toBe("PAR1-a");
    await expect(lake.read("error/processing-failed/dt=2025-06-15/x")).rejects.toThrow(/not a lake file/);
  });
});

describe("lake rows for Firehose", () => {
  it("has exactly the lake columns, timestamps in epoch milliseconds, and the transaction's day", async () => {
    const { p } = await platformWith();
    const r = await p.scoring.submit(body("f-1"));
    if (r.status !== "recorded") throw new Error(r.status);
    const { dt, row } = firehoseLakeRow(r.decision);
    expect(dt).toBe("2025-06-15");
    expect(Object.keys(row)).toEqual(LAKE_COLUMNS.map((c) => c.name));
    expect(row.timestamp).toBe(Date.parse("2025-06-15T11:00:00.000Z"));
    expect(row.decided_at).toBe(Date.parse(r.decision.decided_at));
    expect(row.amount).toBe(100);
  });
});

describe("review labels in the lake", () => {
  it("writes each labelled case to labels/ as one JSON line with the Glue table's columns; the latest label wins", async () => {
    const tables = await emulators.createTables();
    const p = openAwsPlatform({
      tables,
      settings: defaultSettings,
      clients: emulators.clients,
      clock: tickingClock(),
      rulesetCacheMs: 0,
      lakeBucket: emulators.s3Bucket,
    });
    await p.rules.publish((await p.rules.saveDraft(RulesetContent.parse(DEMO_RULESET), { id: "t" })).version, { id: "t" });
    const id = "lab/1 é";
    const r = await p.scoring.submit({ ...body(id, 9_000), device_id: "new-device", location: "Lagos, NG" });
    if (r.status !== "recorded" || r.decision.decision === "APPROVED") throw new Error("expected a case");
    const read = async () => {
      const out = await emulators.clients.s3.send(new GetObjectCommand({ Bucket: emulators.s3Bucket, Key: labelKey(id) }));
      return out.Body!.transformToString();
    };
    const first = await p.reviews.label({ transaction_id: id, label: "fraud" }, { id: "ana" });
    const text = await read();
    expect(text.endsWith("\n")).toBe(true);
    expect(text.trim().split("\n")).toHaveLength(1);
    const row = JSON.parse(text);
    expect(Object.keys(row)).toEqual(LABEL_COLUMNS.map((c) => c.name));
    expect(row).toEqual({ transaction_id: id, label: "fraud", labeled_at: first.updated_at });
    expect(labelKey(id)).toMatch(/^labels\/[^/]+\.json$/);

    await p.reviews.label({ transaction_id: id, label: "legitimate" }, { id: "bob" });
    expect(JSON.parse(await read())).toMatchObject({ transaction_id: id, label: "legitimate" });
  });
});
