import { describe, expect, it } from "vitest";
import { CustomerRefs, maskPersonalData } from "../src/privacy/personal-data.ts";

describe("maskPersonalData", () => {
  it("masks email addresses, keeping the first letter and the domain", () => {
    expect(maskPersonalData("john.doe@example.com")).toBe("j***@example.com");
    expect(maskPersonalData("contact: a@b.co, Jane.Smith+fraud@mail.example.org.")).toBe("contact: a***@b.co, J***@mail.example.org.");
    expect(maskPersonalData('{"email":"premium.user@example.com"}')).toBe('{"email":"p***@example.com"}');
  });

  it("masks phone numbers in the usual spellings, keeping a leading + and the last two digits", () => {
    expect(maskPersonalData("+237670000001")).toBe("+**********01");
    expect(maskPersonalData("237670000001")).toBe("**********01");
    expect(maskPersonalData("0712345678")).toBe("********78");
    expect(maskPersonalData("+237 6 70 00 00 01")).toBe("+**********01");
    expect(maskPersonalData("+1 (415) 555-2671")).toBe("+*********71");
    expect(maskPersonalData("670000001")).toBe("*******01");
    expect(maskPersonalData("user_id=+254712345678 blocked")).toBe("user_id=+**********78 blocked");
    expect(maskPersonalData("dir-+237670000001-x")).toBe("dir-+**********01-x");
  });

  it("leaves what is not personal data alone", () => {
    const untouched = [
      "2025-06-01",
      "2025-06-01T10:00:00.000Z",
      "2025-06-01 10:00:00",
      "203.0.113.9",
      "123e4567-e89b-12d3-a456-426614174000",
      "user_001",
      "user_237670000001",
      "C1231006815",
      "tx-237670000001",
      "amount 12500000",
      "12345.678901234",
      "pid 4242, port 3000, 99999 XAF",
      "no personal data here",
      "",
    ];
    for (const text of untouched) expect(maskPersonalData(text), text).toBe(text);
  });

  it("masks every occurrence in a log line, and masking twice changes nothing more", () => {
    const line = "unhandled error for jane@example.com (+237670000001), retry for bob@example.org at 0712345678";
    const once = maskPersonalData(line);
    expect(once).toBe("unhandled error for j***@example.com (+**********01), retry for b***@example.org at ********78");
    expect(maskPersonalData(once)).toBe(once);
    expect(once).not.toMatch(/jane|bob|670000|123456/);
  });
});

describe("CustomerRefs", () => {
  const refs = new CustomerRefs("a-dashboard-secret-of-32-characters");

  it("seals a customer id into a URL-safe reference that does not show it, and opens it again", () => {
    const ref = refs.seal("+237670000001");
    expect(ref).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(ref).not.toContain("670000001");
    expect(refs.open(ref)).toBe("+237670000001");
    expect(refs.seal("+237670000001")).toBe(ref);
    expect(refs.seal("+237670000002")).not.toBe(ref);
    expect(refs.open(refs.seal("client é 🙂"))).toBe("client é 🙂");
  });

  it("opens nothing it did not seal: an id typed by hand, another deployment's reference, an altered one", () => {
    const ref = refs.seal("+237670000001");
    expect(refs.open("+237670000001")).toBeUndefined();
    expect(refs.open("user_001")).toBeUndefined();
    expect(new CustomerRefs("another-dashboard-secret-of-32-chars").open(ref)).toBeUndefined();
    const altered = `${ref.slice(0, 20)}${ref[20] === "A" ? "B" : "A"}${ref.slice(21)}`;
    expect(refs.open(altered)).toBeUndefined();
  });
});
