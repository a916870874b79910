import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// dynalite has no TransactWriteItems (architect/dynalite#151). This proxy in front of it adds the
// operation for the tests: all mutating requests pass one at a time; a transaction applies its
// items in order as conditional writes and, when one fails its condition, restores the items it
// already changed and answers TransactionCanceledException with per-item reasons, like DynamoDB.
// Reads are not isolated from a transaction in progress (DynamoDB's are): a reader may see a write
// that is then rolled back, which the adapters' version conditions already have to handle.

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

export async function startTransactionProxy(dynaliteUrl: string): Promise<{ url: string; server: Server }> {
  const upstream = new URL(dynaliteUrl);
  const keySchemas = new Map<string, string[]>();
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
      const key = spec.Key ?? Object.fromEntries((await keyNames(headers, spec.TableName)).map((k) => [k, spec.Item[k]]));
      undo.push({ table: spec.TableName, key, old: out.json.Attributes });
    }
    return { status: 200, json: {} };
  };

  const server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (raw += d));
    req.on("end", async () => {
      const op = String(req.headers["x-amz-target"] ?? "").replace(PREFIX, "");
      const body = raw ? JSON.parse(raw) : {};
      const run = () => (op === "TransactWriteItems" ? transact(req.headers, body) : call("", upstream, req.headers, op, body));
      try {
        const out = await (MUTATING.has(op) ? serially(run) : run());
        res.writeHead(out.status, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify(out.json));
      } catch (e) {
        res.writeHead(500, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify({ __type: "InternalServerError", message: String(e) }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
