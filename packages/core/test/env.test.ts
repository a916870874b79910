import { describe, expect, it } from "vitest";
import { env } from "../src/platform/env.ts";
import { isTimeZone, Settings } from "../src/settings/settings.ts";

describe("FRAUD_PUBLIC_URL and FRAUD_TRUSTED_PROXY", () => {
  it("are unset unless given", () => {
    expect(env({}).FRAUD_PUBLIC_URL).toBeUndefined();
    expect(env({}).FRAUD_TRUSTED_PROXY).toEqual([]);
  });

  it("keep the public URL's origin, and refuse anything but an http(s) origin", () => {
    expect(env({ FRAUD_PUBLIC_URL: "https://Fraud.Example.com:8443/" }).FRAUD_PUBLIC_URL).toBe("https://fraud.example.com:8443");
    expect(env({ FRAUD_PUBLIC_URL: "http://10.0.0.5:3000" }).FRAUD_PUBLIC_URL).toBe("http://10.0.0.5:3000");
    for (const wrong of [
      "https://fraud.example.com/app",
      "https://fraud.example.com/?x=1",
      "https://user:pw@fraud.example.com",
      "ftp://fraud.example.com",
      "fraud.example.com",
    ]) {
      expect(() => env({ FRAUD_PUBLIC_URL: wrong }), wrong).toThrow(/FRAUD_PUBLIC_URL/);
    }
  });

  it("read the trusted proxies as addresses and CIDR ranges, and refuse names", () => {
    expect(env({ FRAUD_TRUSTED_PROXY: "127.0.0.1, 10.0.0.0/8,::1,fd00::/8" }).FRAUD_TRUSTED_PROXY).toEqual(["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"]);
    for (const wrong of ["nginx", "10.0.0.0/33", "127.0.0.1, *"]) expect(() => env({ FRAUD_TRUSTED_PROXY: wrong }), wrong).toThrow(/FRAUD_TRUSTED_PROXY/);
  });
});

describe("report limits from the environment", () => {
  it("one report at a time on one thread in 1 GB for 30 s unless set, and refuses limits that make no sense", () => {
    expect(env({}).reportLimits).toEqual({ memoryMb: 1_024, timeoutMs: 30_000, threads: 1, concurrency: 1, queue: 4 });
    const set = env({
      FRAUD_REPORT_MEMORY_MB: "4096",
      FRAUD_REPORT_TIMEOUT_MS: "120000",
      FRAUD_REPORT_THREADS: "4",
      FRAUD_REPORT_CONCURRENCY: "2",
      FRAUD_REPORT_QUEUE: "0",
    });
    expect(set.reportLimits).toEqual({ memoryMb: 4_096, timeoutMs: 120_000, threads: 4, concurrency: 2, queue: 0 });
    for (const [key, value] of [
      ["FRAUD_REPORT_MEMORY_MB", "16"],
      ["FRAUD_REPORT_TIMEOUT_MS", "0"],
      ["FRAUD_REPORT_THREADS", "0"],
      ["FRAUD_REPORT_CONCURRENCY", "many"],
      ["FRAUD_REPORT_QUEUE", "-1"],
    ] as const) {
      expect(() => env({ [key]: value }), key).toThrow(new RegExp(key));
    }
  });
});

describe("time zones", () => {
  it("accepts IANA zones and refuses anything else, in settings and for the dashboard's cookie alike", () => {
    expect([
      isTimeZone("Africa/Douala"),
      isTimeZone("UTC"),
      isTimeZone("Mars/Olympus"),
      isTimeZone(""),
      isTimeZone(undefined),
      isTimeZone("Africa/".repeat(10)),
    ]).toEqual([true, true, false, false, false, false]);
    expect(Settings.safeParse({ timeZone: "Africa/Douala" }).success).toBe(true);
    expect(Settings.safeParse({ timeZone: "Mars/Olympus" }).success).toBe(false);
  });
});

describe("FRAUD_LANGUAGE and FRAUD_COUNTRY", () => {
  it("default to French and Cameroon", () => {
    expect(env({}).settings).toMatchObject({ language: "fr", country: "CM" });
    expect(env({ FRAUD_LANGUAGE: "en", FRAUD_COUNTRY: "GA" }).settings).toMatchObject({ language: "en", country: "GA" });
  });

  it("refuse a language the dashboard does not speak and a country the gazetteer has no city of, naming the variable", () => {
    for (const wrong of ["de", "FR", ""]) expect(() => env({ FRAUD_LANGUAGE: wrong }), wrong).toThrow(/FRAUD_LANGUAGE/);
    for (const wrong of ["PE", "cm", "CMR", "ZZ", ""]) expect(() => env({ FRAUD_COUNTRY: wrong }), wrong).toThrow(/FRAUD_COUNTRY/);
  });
});
