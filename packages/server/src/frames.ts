/**
 * Many small messages in one buffer, for the server and its scoring thread: each frame is an id
 * (u32), a code (u16: 0 for a request, the HTTP status for an answer) and a length-prefixed body
 * (u32 + bytes). Bodies cross as the bytes they are (a request's body as received, an answer's
 * JSON as it will be sent), neither escaped nor parsed on the way.
 */
export interface Frame {
  id: number;
  code: number;
  body: Uint8Array;
}

const HEADER_BYTES = 10;

/** One buffer holding every frame; a string body is written as UTF-8. */
export function packFrames(frames: ReadonlyArray<{ id: number; code: number; body: Uint8Array | string }>): Buffer {
  let size = 0;
  const lengths = frames.map((f) => {
    const n = typeof f.body === "string" ? Buffer.byteLength(f.body) : f.body.byteLength;
    size += HEADER_BYTES + n;
    return n;
  });
  const packed = Buffer.allocUnsafe(size);
  let at = 0;
  frames.forEach((f, i) => {
    const n = lengths[i]!;
    at = packed.writeUInt32LE(f.id, at);
    at = packed.writeUInt16LE(f.code, at);
    at = packed.writeUInt32LE(n, at);
    if (typeof f.body === "string") packed.write(f.body, at, n, "utf8");
    else packed.set(f.body, at);
    at += n;
  });
  return packed;
}

/** The frames of a packed buffer; their bodies are views of it (no copy). Throws on a truncated buffer. */
export function unpackFrames(packed: Uint8Array): Frame[] {
  const buf = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  const frames: Frame[] = [];
  let at = 0;
  while (at < buf.length) {
    if (at + HEADER_BYTES > buf.length) throw new Error("truncated frame header");
    const id = buf.readUInt32LE(at);
    const code = buf.readUInt16LE(at + 4);
    const n = buf.readUInt32LE(at + 6);
    at += HEADER_BYTES;
    if (at + n > buf.length) throw new Error("truncated frame body");
    frames.push({ id, code, body: buf.subarray(at, at + n) });
    at += n;
  }
  return frames;
}
