import { Logger } from "@aws-lambda-powertools/logger";
import { maskLogValue } from "@fraud/core/logs";
import { describe, expect, it, vi } from "vitest";

describe("Lambda logs hold no emails or phone numbers", () => {
  it("Lambda's structured logs (Powertools) mask every string, errors included", () => {
    // In dev mode Powertools writes through the global console, where the test can read it.
    vi.stubEnv("POWERTOOLS_DEV", "true");
    const written: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: string) => void written.push(line));
    try {
      const logger = new Logger({ serviceName: "test", jsonReplacerFn: maskLogValue });
      logger.error("alert for jane.doe@example.com", { user_id: "+254712345678", error: new Error("webhook refused bob@example.org") });
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
    const line = written.join("");
    expect(line).toContain("j***@example.com");
    expect(line).toContain("+**********78");
    expect(line).toContain("b***@example.org");
    expect(line).not.toMatch(/jane\.doe|bob@|712345/);
  });
});
