import { request } from "node:http";
import { connect } from "node:net";

/* HTTP as a client sees it on the wire: raw bytes out, every answer back as it came. */

export interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/** Complete HTTP/1.1 answers at the start of `data` (Content-Length or chunked bodies; a bodiless one ends at its headers). */
export function parseAnswers(data: Buffer): Answer[] {
  const answers: Answer[] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf("\r\n\r\n", at);
    if (end < 0) return answers;
    const [statusLine, ...lines] = data.subarray(at, end).toString("latin1").split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) headers[line.slice(0, line.indexOf(":")).toLowerCase()] = line.slice(line.indexOf(":") + 1).trim();
    let next = end + 4;
    let body: Buffer = Buffer.alloc(0);
    if (headers["transfer-encoding"] === "chunked") {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = data.indexOf("\r\n", next);
        if (lineEnd < 0) return answers;
        const size = parseInt(data.subarray(next, lineEnd).toString("latin1"), 16);
        if (data.length < lineEnd + 2 + size + 2) return answers;
        parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        next = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
      body = Buffer.concat(parts);
    } else if (headers["content-length"] !== undefined) {
      const length = Number(headers["content-length"]);
      if (data.length < next + length) return answers;
      body = data.subarray(next, next + length);
      next += length;
    }
    answers.push({ status: Number(statusLine!.split(" ")[1]), headers, body: body.toString("utf8") });
    at = next;
  }
}

/**
 * Sends raw bytes on a connection of its own, as an attacker would, and reads what comes back until
 * the server closes the connection or `expected` complete answers have arrived.
 */
export function exchange(port: number, raw: string, expected = 1): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = Buffer.alloc(0);
    socket.on("data", (d: Buffer) => {
      data = Buffer.concat([data, d]);
      if (parseAnswers(data).length >= expected) socket.destroy();
    });
    socket.on("close", () => resolve(parseAnswers(data)));
    socket.on("error", reject);
    socket.write(Buffer.from(raw, "latin1"));
  });
}

/**
 * Posts `size` bytes the way an HTTP client does (writing as fast as the server reads), declared
 * or chunked; resolves with the answer the client read, rejects when it read none (a reset).
 */
export function postLarge(
  port: number,
  path: string,
  size: number,
  framing: "content-length" | "chunked",
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const all: Record<string, string | number> = { "content-type": "application/json", ...headers };
    if (framing === "content-length") all["content-length"] = size;
    const req = request({ host: "127.0.0.1", port, method: "POST", path, headers: all }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers as Answer["headers"], body }));
    });
    req.on("error", reject);
    const piece = Buffer.alloc(64 * 1024, "a");
    let sent = 0;
    const write = () => {
      while (sent < size) {
        const part = piece.subarray(0, Math.min(piece.length, size - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once("drain", write);
      }
      req.end();
    };
    write();
  });
}

/** One request from a given loopback address, showing exactly what came back (fetch would merge and hide headers). */
export function call(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer; localAddress?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { method = "GET", path, headers = {}, body, localAddress = "127.0.0.1" } = options;
    const req = request({ host: "127.0.0.1", port, method, path, headers, localAddress }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers as Answer["headers"], body: text }));
    });
    req.on("error", reject).end(body);
  });
}

export const get = (port: number, path: string, headers: Record<string, string>, localAddress?: string) => call(port, { path, headers, localAddress });
