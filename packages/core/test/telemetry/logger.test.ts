import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Platform, registerLogSecrets } from "@fraud/core";
import { createLogger, requestLogger, routeConsole, type LogLevel } from "@fraud/core/logger";

/** A logger writing its lines to an array, as it writes them to the standard output. */
function capture(level: LogLevel = "info") {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  const log = createLogger({ service: "server", level, destination });
  return { log, lines, events: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("the processes' JSON logs", () => {
  it("writes one JSON event a line with the field names Powertools uses on Lambda", async () => {
    const { log, events } = capture();
    log.info({ request_id: "r-1", route: "/api/transactions", status: 200, latency_ms: 0.61, decision: "APPROVED" }, "request");
    log.error({ error: new Error("disk I/O error") }, "store unavailable");
    await new Promise((r) => setImmediate(r));
    const [request, failure] = events();
    expect(request).toMatchObject({
      level: "INFO",
      message: "request",
      service: "server",
      request_id: "r-1",
      route: "/api/transactions",
      status: 200,
      decision: "APPROVED",
    });
    expect(Date.parse(String(request!.timestamp))).not.toBeNaN();
    expect(failure).toMatchObject({ level: "ERROR", message: "store unavailable", error: { type: "Error", message: "disk I/O error" } });
  });

  it("writes request lines on the same stream, in the same format and at the same level", async () => {
    const { log, events } = capture("info");
    const requests = requestLogger(log);
    requests.info({ request_id: "r-2", route: "/api/health", status: 200 }, "request");
    requests.debug("not written");
    log.info("after");
    await new Promise((r) => setImmediate(r));
    expect(events()).toMatchObject([
      { level: "INFO", service: "server", message: "request", request_id: "r-2", route: "/api/health" },
      { level: "INFO", message: "after" },
    ]);
    expect(Date.parse(String(events()[0]!.timestamp))).not.toBeNaN();
  });

  it("writes nothing below FRAUD_LOG_LEVEL", async () => {
    const { log, events } = capture("warn");
    log.info("routine");
    log.debug("detail");
    log.warn("disk almost full");
    await new Promise((r) => setImmediate(r));
    expect(events().map((e) => e.message)).toEqual(["disk almost full"]);
  });

  it("masks personal data and hides secrets, in fields and in messages", async () => {
    registerLogSecrets(["operator-chosen-key-4242"]);
    const { log, lines } = capture();
    log.warn({ user: "jane.doe@example.com", phone: "+237 670 00 00 01" }, "refused for 237670000001");
    log.error({ authorization: "Bearer fk_abcdefghijklmnopqrstuvwxyz012345", cookie: "fraud_session=s3cr3t", password: "hunter2-hunter2" }, "sign-in failed");
    log.error(
      { detail: "the key operator-chosen-key-4242 was refused; whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw rotated; fk_Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4" },
      "webhook",
    );
    await new Promise((r) => setImmediate(r));
    const text = lines.join("\n");
    for (const secret of [
      "jane.doe",
      "237670000001",
      "670 00 00 01",
      "fk_abcdefghij",
      "s3cr3t",
      "hunter2",
      "operator-chosen-key-4242",
      "whsec_MfKQ",
      "fk_Zm9v",
    ])
      expect(text).not.toContain(secret);
    expect(text).toContain("j***@example.com");
    expect(text).toContain("+**********01");
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it("routes console calls to the logger, one event each, at the matching level", async () => {
    const { log, events } = capture("debug");
    const target = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
    routeConsole(log, target);
    target.error("refused %s for %o", "jane.doe@example.com", { amount: 2500 });
    target.warn(new Error("no profile for 237670000001"));
    target.log("plain");
    await new Promise((r) => setImmediate(r));
    const [first, second, third] = events();
    expect(first).toMatchObject({ level: "ERROR", message: "refused j***@example.com for { amount: 2500 }" });
    expect(second).toMatchObject({ level: "WARN", message: "no profile for **********01", error: { type: "Error" } });
    expect(third).toMatchObject({ level: "INFO", message: "plain" });
  });

  it("accepts FRAUD_LOG_LEVEL from the levels it names, and refuses others", () => {
    expect(Platform.env({ FRAUD_LOG_LEVEL: "debug" }).FRAUD_LOG_LEVEL).toBe("debug");
    expect(Platform.env({}).FRAUD_LOG_LEVEL).toBe("info");
    expect(() => Platform.env({ FRAUD_LOG_LEVEL: "verbose" })).toThrow(/FRAUD_LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent/);
  });
});
