export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; code: string; message: string };

/** Reads a request body up to a limit: the bytes, or "too large" as soon as the limit is passed. */
export type BodySource = (limitBytes: number) => Promise<{ ok: true; bytes: Uint8Array } | { ok: false }>;

const MAX_DEPTH = 32;
/** Refuses bytes that are not UTF-8 rather than replacing them; drops a byte-order mark. Each decode is whole (no streaming), so one decoder serves every request. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_DEPTH || value === null || typeof value !== "object") return depth;
  let max = depth;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    max = Math.max(max, depthOf(v, depth + 1));
    if (max > MAX_DEPTH) break;
  }
  return max;
}

const tooLarge = (limitBytes: number): Extract<BodyResult, { ok: false }> => ({
  ok: false,
  status: 413,
  code: "BODY_TOO_LARGE",
  message: `the body must be at most ${limitBytes} bytes`,
});

/** A body read from a web stream (the Fetch API's Request, as Hono and Lambda see it). */
export function webStreamBody(stream: ReadableStream<Uint8Array> | null): BodySource {
  return async (limitBytes) => {
    const reader = stream?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limitBytes) {
          await reader.cancel();
          return { ok: false };
        }
        chunks.push(value);
      }
    }
    return { ok: true, bytes: Buffer.concat(chunks, size) };
  };
}

export interface JsonRequest {
  contentType: string | undefined;
  contentLength: string | undefined;
  body: BodySource;
}

/** The request's bytes, or the answer that refuses them before parsing: wrong media type (415), too large (413). */
export type RawBodyResult = { ok: true; bytes: Uint8Array } | Extract<BodyResult, { ok: false }>;

/** Checks the media type and the size limit, then reads the bytes (stopping as soon as the limit is passed). */
export async function readBody(req: JsonRequest, limitBytes: number): Promise<RawBodyResult> {
  if (!/^application\/(.+\+)?json\b/i.test(req.contentType ?? "")) {
    return { ok: false, status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "send the transaction as application/json" };
  }
  if (Number(req.contentLength ?? "0") > limitBytes) return tooLarge(limitBytes);
  const read = await req.body(limitBytes);
  return read.ok ? read : tooLarge(limitBytes);
}

/**
 * Parses a body's bytes as JSON strictly: UTF-8 that is not valid is refused rather than decoded
 * lossily, nesting bounded. Never echoes parser text to the client.
 */
export function parseJsonBody(bytes: Uint8Array): BodyResult {
  let text: string;
  try {
    text = UTF8.decode(bytes);
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
