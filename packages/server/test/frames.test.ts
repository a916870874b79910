import { describe, expect, it } from "vitest";
import { packFrames, unpackFrames } from "../src/frames.ts";

describe("frames between the server and its scoring thread", () => {
  it("carries ids, codes and bodies (bytes or UTF-8 text, empty too) unchanged, in order", () => {
    const body = Buffer.from('{"user_id":"u1","location":"Yaoundé, CM"}');
    const packed = packFrames([
      { id: 1, code: 0, body },
      { id: 2 ** 32 - 1, code: 503, body: '{"error":{"code":"UNAVAILABLE"},"note":"é ✓"}' },
      { id: 7, code: 200, body: "" },
    ]);
    const frames = unpackFrames(new Uint8Array(packed));
    expect(frames.map((f) => [f.id, f.code, Buffer.from(f.body).toString("utf8")])).toEqual([
      [1, 0, '{"user_id":"u1","location":"Yaoundé, CM"}'],
      [2 ** 32 - 1, 503, '{"error":{"code":"UNAVAILABLE"},"note":"é ✓"}'],
      [7, 200, ""],
    ]);
  });

  it("reads frames from a view into a larger buffer, as a message may arrive", () => {
    const packed = packFrames([{ id: 3, code: 0, body: "abc" }]);
    const larger = Buffer.concat([Buffer.from("xx"), packed, Buffer.from("yy")]);
    expect(unpackFrames(larger.subarray(2, 2 + packed.length)).map((f) => [f.id, Buffer.from(f.body).toString()])).toEqual([[3, "abc"]]);
  });

  it("refuses a truncated buffer rather than answering with part of a body", () => {
    const packed = packFrames([{ id: 1, code: 0, body: "hello" }]);
    expect(() => unpackFrames(packed.subarray(0, packed.length - 1))).toThrow("truncated frame body");
    expect(() => unpackFrames(packed.subarray(0, 4))).toThrow("truncated frame header");
  });
});
