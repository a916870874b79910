import { Platform, User } from "@fraud/core";
import { openLocalRuntime, printSecretsOnce } from "@fraud/core/local";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/index.ts";

const KEY = "keys-test-key-0123456789";
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "fraud-keys-"));
  // The runtime reads its settings from the environment, once per process.
  process.env.FRAUD_DATA_DIR = dataDir;
  process.env.FRAUD_API_KEY = KEY;
  process.env.FRAUD_ADMIN_PASSWORD = "keys-test-admin-pw";
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("credentials generated on the first start", () => {
  it("are not written where the output is a log (not a terminal): the log says where they are stored", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "fraud-keys-fresh-"));
    const rt = await openLocalRuntime(Platform.env({ FRAUD_DATA_DIR: fresh }));
    const written = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const logged: string[] = [];
    try {
      expect(rt.secrets.generated).toBe(true);
      expect(process.stdout.isTTY).toBeFalsy();
      printSecretsOnce(rt, join(fresh, "secrets.json"), (m) => logged.push(m));
      expect(written).not.toHaveBeenCalled();
      expect(logged).toEqual([`credentials were generated and stored (owner-readable only) in ${join(fresh, "secrets.json")}; read them there`]);
      for (const secret of [rt.secrets.api_key, rt.secrets.admin_password]) expect(logged.join("\n")).not.toContain(secret);
    } finally {
      written.mockRestore();
      rt.platform.close();
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});

describe("API key scopes", () => {
  it("gives the deployment's first key (FRAUD_API_KEY) every scope, metrics included", async () => {
    const rt = await openLocalRuntime(Platform.env());
    try {
      expect((await rt.platform.apiKeys.verify(KEY))?.scopes).toEqual([...User.API_KEY_SCOPES]);
      expect(User.API_KEY_SCOPES).toContain("metrics");
    } finally {
      rt.platform.close();
    }
  });

  it("creates a key with only the metrics scope for Prometheus, and refuses an unknown scope", async () => {
    const out = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect(await main(["keys", "create", "--name", "prometheus", "--scope", "metrics", "--json"])).toBe(0);
      const created = JSON.parse(String(out.mock.calls.at(-1)![0])) as { key: string; scopes: string[] };
      expect(created.scopes).toEqual(["metrics"]);
      expect(await main(["keys", "create", "--name", "x", "--scope", "admin"])).toBe(2);
      expect(String(err.mock.calls.at(-1)![0])).toBe("unknown scope(s): admin (use ingest, read, metrics)");
      const rt = await openLocalRuntime(Platform.env());
      try {
        expect((await rt.platform.apiKeys.verify(created.key))?.scopes).toEqual(["metrics"]);
      } finally {
        rt.platform.close();
      }
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
