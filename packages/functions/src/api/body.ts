import type { Context } from "hono";

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; code: string; message: string };

const MAX_DEPTH = 32;

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_DEPTH || value === null || typeof value !== "object") return depth;
  let max = depth;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    max = Math.max(max, depthOf(v, depth + 1));
    if (max > MAX_DEPTH) break;
  }
  return max;
}

/**
 * Reads a JSON body strictly: size limit (413), UTF-8 that is not valid is refused rather than
 * decoded lossily, nesting bounded. Never echoes parser text to the client.
 */
export async function readJsonBody(c: Context, limitBytes: number): Promise<BodyResult> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    return { ok: false, status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "send the transaction as application/json" };
  }
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > limitBytes) return { ok: false, status: 413, code: "BODY_TOO_LARGE", message: `the body must be at most ${limitBytes} bytes` };
  const reader = c.req.raw.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limitBytes) {
        await reader.cancel();
        return { ok: false, status: 413, code: "BODY_TOO_LARGE", message: `the body must be at most ${limitBytes} bytes` };
      }
      chunks.push(value);
    }
  }
  const bytes = Buffer.concat(chunks, size);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, status: 400, code: "INVALID_ENCODING", message: "the body is not valid UTF-8" };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, code: "INVALID_JSON", message: "the body is not valid JSON" };
  }
  if (depthOf(value) > MAX_DEPTH) return { ok: false, status: 400, code: "INVALID_JSON", message: `the body is nested deeper than ${MAX_DEPTH} levels` };
  return { ok: true, value };
}
