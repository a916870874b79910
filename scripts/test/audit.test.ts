import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without type declarations
import { lockedPackages, SECURITY_WORDS } from "../audit.mjs";

const lockfile = readFileSync(new URL("../../pnpm-lock.yaml", import.meta.url), "utf8");

describe("the dependency audit", () => {
  it("reads every package version the lockfile resolves, scoped names included", () => {
    const locked: Array<{ name: string; version: string }> = lockedPackages(lockfile);
    const require = createRequire(new URL("../../packages/core/package.json", import.meta.url));
    const zod = JSON.parse(readFileSync(require.resolve("zod/package.json"), "utf8")).version;
    expect(locked).toContainEqual({ name: "zod", version: zod });
    expect(locked.some((p) => p.name === "@duckdb/node-api" && p.version === "1.5.6-r.1")).toBe(true);
    expect(locked.every((p) => /^[@a-z0-9]/.test(p.name) && /^\d/.test(p.version))).toBe(true);
  });

  it("tells a deprecation for a security reason from a rename or an end of support", () => {
    expect(SECURITY_WORDS.test("Critical security vulnerability fixed in v1.2.3")).toBe(true);
    expect(SECURITY_WORDS.test("Upgrade to fix CVE-2024-1234")).toBe(true);
    expect(SECURITY_WORDS.test("this version is no longer supported, use @scope/next")).toBe(false);
  });

  it("keeps the lockfile free of deprecation markers and of registry addresses", () => {
    expect(lockfile).not.toMatch(/^\s+deprecated:/m);
    expect(lockfile).not.toMatch(/https?:\/\//);
  });
});
