import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// dynalite has no TransactWriteItems (architect/dynalite#151). This proxy in front of it adds the
// operation for the tests: all mutating requests pass one at a time; a transaction applies its
// items in order as conditional writes and, when one fails its condition, restores the items it
// already changed and answers TransactionCanceledException with per-item reasons, like DynamoDB.
// Reads are not isolated from a transaction in progress (DynamoDB's are): a reader may see a write
// that is then rolled back, which the adapters' version conditions already have to handle.
// dynalite has no DynamoDB Streams either: for a table created with a StreamSpecification the
// proxy keeps the change records DynamoDB Streams would (one per committed item change, in commit
// order, with the new image), which `changes` returns in the shape Lambda delivers them.

// Raw DynamoDB JSON passes through as it came.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const PREFIX = "DynamoDB_20120810.";
const MUTATING = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);

function call(_target: string, url: URL, headers: IncomingHttpHeaders, op: string, body: Json): Promise<{ status: number; json: Json; raw: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/",
        // A fresh connection each time: reusing one that dynalite is closing fails the request.
        agent: false,
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": `${PREFIX}${op}`,
          authorization: headers.authorization ?? "AWS4-HMAC-SHA256 Credential=test/20250101/eu-west-3/dynamodb/aws4_request, SignedHeaders=host, Signature=x",
          "x-amz-date": headers["x-amz-date"] ?? "20250101T000000Z",
          "content-length": Buffer.byteLength(payload),
        },
      },
      (res) => {
        let raw = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (raw += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 500, json: raw ? JSON.parse(raw) : {}, raw }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

export interface TransactionProxy {
  url: string;
  server: Server;
  /** The change-stream records of a table created with a stream, oldest first. */
  changes(table: string): Json[];
}

export async function startTransactionProxy(dynaliteUrl: string): Promise<TransactionProxy> {
  const upstream = new URL(dynaliteUrl);
  const keySchemas = new Map<string, string[]>();
  const streams = new Map<string, Json[]>();
  let sequence = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const keyNames = async (headers: IncomingHttpHeaders, table: string) => {
    let names = keySchemas.get(table);
    if (!names) {
      const out = await call(table, upstream, headers, "DescribeTable", { TableName: table });
      names = (out.json.Table?.KeySchema ?? []).map((k: Json) => k.AttributeName as string);
      keySchemas.set(table, names!);
    }
    return names!;
  };

  const keyOf = async (headers: IncomingHttpHeaders, spec: Json): Promise<Json> =>
    spec.Key ?? Object.fromEntries((await keyNames(headers, spec.TableName)).map((k) => [k, spec.Item[k]]));
  const itemAt = async (headers: IncomingHttpHeaders, table: string, key: Json): Promise<Json | undefined> =>
    (await call("", upstream, headers, "GetItem", { TableName: table, Key: key, ConsistentRead: true })).json.Item;
  /** Appends the change of one item, now committed, to its table's stream. */
  const recordChange = async (headers: IncomingHttpHeaders, table: string, key: Json, old: Json | undefined) => {
    const log = streams.get(table);
    if (!log) return;
    const item = await itemAt(headers, table, key);
    if (!item && !old) return;
    const eventName = !old ? "INSERT" : item ? "MODIFY" : "REMOVE";
    sequence += 1;
    log.push({
      eventID: `${table}-${sequence}`,
      eventName,
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "eu-west-3",
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: key,
        ...(item ? { NewImage: item } : {}),
        SequenceNumber: String(sequence).padStart(21, "0"),
        SizeBytes: JSON.stringify(item ?? key).length,
        StreamViewType: "NEW_IMAGE",
      },
      eventSourceARN: `arn:aws:dynamodb:eu-west-3:000000000000:table/${table}/stream/emulated`,
    });
  };
  /** A single-item write, with its change recorded when the table has a stream. */
  const single = async (headers: IncomingHttpHeaders, op: string, body: Json) => {
    if (!streams.has(body.TableName) || op === "BatchWriteItem") return call("", upstream, headers, op, body);
    const key = await keyOf(headers, body);
    const old = await itemAt(headers, body.TableName, key);
    const out = await call("", upstream, headers, op, body);
    if (out.status === 200) await recordChange(headers, body.TableName, key, old);
    return out;
  };

  const transact = async (headers: IncomingHttpHeaders, body: Json): Promise<{ status: number; json: Json }> => {
    const items: Json[] = body.TransactItems ?? [];
    const reasons = items.map(() => ({ Code: "None" }) as Json);
    const undo: Array<{ table: string; key: Json; old: Json | undefined }> = [];
    for (const [i, item] of items.entries()) {
      const [op, spec] = Object.entries(item)[0] as [string, Json];
      if (op === "ConditionCheck") throw new Error("ConditionCheck is not supported by the test proxy");
      const single = op === "Put" ? "PutItem" : op === "Update" ? "UpdateItem" : "DeleteItem";
      const { ReturnValuesOnConditionCheckFailure: _r, ...rest } = spec;
      const out = await call("", upstream, headers, single, { ...rest, ReturnValues: "ALL_OLD" });
      if (out.status !== 200) {
        const type = String(out.json.__type ?? "");
        if (!type.endsWith("ConditionalCheckFailedException")) return out;
        reasons[i] = { Code: "ConditionalCheckFailed", Message: "The conditional request failed" };
        for (const u of undo.reverse()) {
          if (u.old) await call("", upstream, headers, "PutItem", { TableName: u.table, Item: u.old });
          else await call("", upstream, headers, "DeleteItem", { TableName: u.table, Key: u.key });
        }
        return {
          status: 400,
          json: {
            __type: "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(", ")}]`,
            CancellationReasons: reasons,
          },
        };
      }
      const key = await keyOf(headers, spec);
      undo.push({ table: spec.TableName, key, old: out.json.Attributes });
    }
    for (const u of undo) await recordChange(headers, u.table, u.key, u.old);
    return { status: 200, json: {} };
  };

  const server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (raw += d));
    req.on("end", async () => {
      const op = String(req.headers["x-amz-target"] ?? "").replace(PREFIX, "");
      const body = raw ? JSON.parse(raw) : {};
      if (op === "CreateTable" && body.StreamSpecification?.StreamEnabled) streams.set(body.TableName, []);
      const run = () =>
        op === "TransactWriteItems"
          ? transact(req.headers, body)
          : MUTATING.has(op)
            ? single(req.headers, op, body)
            : call("", upstream, req.headers, op, body);
      try {
        const out = await (MUTATING.has(op) ? serially(run) : run());
        res.writeHead(out.status, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify(out.json));
      } catch (e) {
        res.writeHead(500, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify({ __type: "InternalServerError", message: String(e) }));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    changes: (table) => structuredClone(streams.get(table) ?? []),
  };
}
