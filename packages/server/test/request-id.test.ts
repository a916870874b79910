import { describe, expect, it } from "vitest";
import { requestIdOf } from "../src/telemetry/requests.ts";

describe("the request id a client may choose (X-Request-Id)", () => {
  it("is kept when it is a short token", () => {
    for (const id of ["client-req-42", "3f1c2b9e-7d4a-4b8e-9c1d-2e3f4a5b6c7d", "trace:abc.def_1", "a".repeat(128)]) expect(requestIdOf(id)).toBe(id);
  });

  it("is replaced by a generated one when absent, repeated, too long, outside the token characters, or shaped like personal data", () => {
    for (const header of [
      undefined,
      ["a", "b"],
      "",
      "a".repeat(129),
      "has space",
      'quote"d',
      "line\nbreak",
      "-leading-dash",
      "jane.doe@example.com",
      "237670000001",
    ]) {
      const id = requestIdOf(header);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(id).not.toBe(header);
    }
  });
});
