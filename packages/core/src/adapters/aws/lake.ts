import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Decision } from "../../decision/decision.ts";
import { UnavailableError } from "../../errors/errors.ts";
import { LABEL_COLUMNS, LABELS_PREFIX, LAKE_COLUMNS, toLakeRecord, type LakeValue } from "../../lake/schema.ts";
import { isUnavailableAws } from "./clients.ts";
import type { LabelRecord, LabelSink } from "./review-store.ts";

/** The object that holds a transaction's label: one per transaction, so the latest label wins. */
export function labelKey(transactionId: string): string {
  return `${LABELS_PREFIX}${encodeURIComponent(transactionId)}.json`;
}

/**
 * Writes review labels to the lake bucket as one JSON line each (the Glue table `labels` reads
 * them with the JSON SerDe), so report and backtest SQL on Athena can join them to decisions.
 */
export class S3LabelSink implements LabelSink {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async put(label: LabelRecord): Promise<void> {
    const row = Object.fromEntries(LABEL_COLUMNS.map((c) => [c.name, label[c.name]]));
    try {
      await this.s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: labelKey(label.transaction_id), Body: `${JSON.stringify(row)}\n`, ContentType: "application/json" }),
      );
    } catch (e) {
      if (isUnavailableAws(e)) throw new UnavailableError("the label is saved but not yet in the lake; label the case again to retry", { cause: e });
      throw e;
    }
  }
}

export interface LakeFile {
  key: string;
  dt: string;
  size: number;
  lastModified: string | null;
}

const DAY = /(?:^|\/)dt=(\d{4}-\d{2}-\d{2})\//;

/** Read-only view of the lake bucket's `raw/dt=YYYY-MM-DD/` files (what the dashboard's lake page shows). */
export class S3LakeReader {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly prefix = "raw/",
  ) {}

  /** The day partitions that hold files, oldest first. */
  async partitions(): Promise<string[]> {
    const days: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, Delimiter: "/", ContinuationToken: token }));
      for (const p of page.CommonPrefixes ?? []) {
        const m = /dt=(\d{4}-\d{2}-\d{2})\/$/.exec(p.Prefix ?? "");
        if (m) days.push(m[1]!);
      }
      token = page.NextContinuationToken;
    } while (token);
    return days.sort();
  }

  /** The files of one day, or of every day. */
  async files(dt?: string): Promise<LakeFile[]> {
    const files: LakeFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: dt ? `${this.prefix}dt=${dt}/` : this.prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        const m = DAY.exec(o.Key ?? "");
        if (!o.Key || !m) continue;
        files.push({ key: o.Key, dt: m[1]!, size: o.Size ?? 0, lastModified: o.LastModified?.toISOString() ?? null });
      }
      token = page.NextContinuationToken;
    } while (token);
    return files;
  }

  async read(key: string): Promise<Uint8Array> {
    if (!key.startsWith(this.prefix)) throw new Error(`not a lake file: ${key}`);
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!out.Body) throw new Error(`empty object ${key}`);
    return out.Body.transformToByteArray();
  }
}

/**
 * The lake row of a decision as Firehose's JSON deserializer reads it: the same columns as the
 * local Parquet files (core's `toLakeRecord`), timestamps as epoch milliseconds.
 */
export function firehoseLakeRow(decision: Decision): { dt: string; row: Record<string, LakeValue> } {
  const { dt, record } = toLakeRecord(decision);
  const row: Record<string, LakeValue> = { ...record };
  for (const col of LAKE_COLUMNS) {
    const v = row[col.name];
    if (col.type === "timestamp" && typeof v === "string") row[col.name] = Date.parse(v);
  }
  return { dt, row };
}
