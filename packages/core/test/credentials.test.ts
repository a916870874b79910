import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureDataDir, loadOrCreateSecrets, openLocalPlatform, secretsFile } from "../src/adapters/local/index.ts";
import { defaultSettings } from "../src/settings/settings.ts";
import { ensureAdminAccount } from "../src/user/sign-in.ts";

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "fraud-credentials-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const mode = (path: string) => statSync(path).mode & 0o777;

describe("the data directory and the secrets file", () => {
  it("makes the data directory owner-only when the secrets come from the environment", () => {
    const dataDir = join(scratch(), "data", "fraud");
    const secrets = loadOrCreateSecrets(dataDir, { apiKey: "env-api-key-0123456789", adminPassword: "env-admin-password" });
    expect(secrets).toMatchObject({
      api_key: "env-api-key-0123456789",
      admin_password: "env-admin-password",
      generated: false,
      dataDir: { mode: 0o700, private: true },
    });
    expect(mode(dataDir)).toBe(0o700);
    // Only what the environment does not give is generated and kept: the webhook and session secrets.
    expect(mode(secretsFile(dataDir))).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(secretsFile(dataDir), "utf8"))).sort()).toEqual(["session_secret", "webhook_secret"]);
  });

  it("makes the data directory owner-only when the database opens it first", () => {
    const dataDir = join(scratch(), "db-first");
    openLocalPlatform({ dataDir, settings: defaultSettings }).close();
    expect(mode(dataDir)).toBe(0o700);
  });

  it("writes generated secrets owner-only, and makes a secrets file found readable by others owner-only", () => {
    const dataDir = join(scratch(), "generated");
    const first = loadOrCreateSecrets(dataDir, {});
    expect(first.generated).toBe(true);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(secretsFile(dataDir))).toBe(0o600);
    chmodSync(secretsFile(dataDir), 0o644);
    const again = loadOrCreateSecrets(dataDir, {});
    expect(again).toMatchObject({ generated: false, api_key: first.api_key, admin_password: first.admin_password });
    expect(mode(secretsFile(dataDir))).toBe(0o600);
    expect(JSON.parse(readFileSync(secretsFile(dataDir), "utf8"))).toMatchObject({ api_key: first.api_key, admin_password: first.admin_password });
  });

  it("leaves an existing directory's permissions as they are, and says when others can read it", () => {
    const shared = join(scratch(), "shared");
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(shared, 0o755);
    expect(ensureDataDir(shared)).toEqual({ mode: 0o755, private: false });
    expect(mode(shared)).toBe(0o755);
    chmodSync(shared, 0o750);
    expect(ensureDataDir(shared)).toEqual({ mode: 0o750, private: false });
    chmodSync(shared, 0o700);
    expect(ensureDataDir(shared)).toEqual({ mode: 0o700, private: true });
  });
});

describe("the admin account from the configured password", () => {
  it("is created on the first start; later the configured password is only compared, never applied", async () => {
    const p = openLocalPlatform({ dataDir: scratch(), settings: defaultSettings });
    try {
      expect(await ensureAdminAccount(p.users, "first-admin-password", { compare: true })).toBe("created");
      expect(await ensureAdminAccount(p.users, "first-admin-password", { compare: true })).toBe("existing");
      const admin = (await p.users.byUsername("admin"))!;
      await p.users.setPassword(admin.id, "changed-in-the-dashboard", { id: "admin" });
      expect(await ensureAdminAccount(p.users, "first-admin-password", { compare: true })).toBe("password_differs");
      expect(await ensureAdminAccount(p.users, "first-admin-password")).toBe("existing");
      expect(await p.users.authenticate("admin", "first-admin-password")).toBeUndefined();
      expect(await p.users.authenticate("admin", "changed-in-the-dashboard")).toMatchObject({ username: "admin" });
      await expect(ensureAdminAccount(p.users, undefined, { compare: true })).resolves.toBe("existing");
    } finally {
      p.close();
    }
  });
});
