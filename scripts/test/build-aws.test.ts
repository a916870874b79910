import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without type declarations
import { awsBuildIsFresh, pruneEmbeddedModules } from "../build-aws.mjs";
// @ts-expect-error: a plain .mjs script without type declarations
import { webBuildIsFresh } from "../setup.mjs";

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "fraud-build-aws-"));
  dirs.push(root);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  }
  return root;
}
const age = (file: string, secondsAgo: number) => utimesSync(file, new Date(Date.now() - secondsAgo * 1000), new Date(Date.now() - secondsAgo * 1000));

describe("the dashboard's Next.js build is reused only when complete and newer than its sources", () => {
  it("takes a lone BUILD_ID (the offline synth's stand-in) for no build", () => {
    const root = tree({ "web/src/page.tsx": "x", "web/.next/BUILD_ID": "synth-placeholder\n", "core/src/a.ts": "x" });
    age(join(root, "web/src/page.tsx"), 60);
    age(join(root, "core/src/a.ts"), 60);
    expect(webBuildIsFresh(join(root, "web"), join(root, "core/src"))).toBe(false);
  });

  it("reuses a complete build with its standalone server, until a source of the dashboard or of core changes", () => {
    const root = tree({
      "web/src/page.tsx": "x",
      "web/.next/required-server-files.json": "{}",
      "web/.next/standalone/server.js": "",
      "web/.next/BUILD_ID": "abc\n",
      "core/src/a.ts": "x",
    });
    age(join(root, "web/src/page.tsx"), 60);
    age(join(root, "core/src/a.ts"), 60);
    expect(webBuildIsFresh(join(root, "web"), join(root, "core/src"))).toBe(true);
    writeFileSync(join(root, "core/src/a.ts"), "y");
    expect(webBuildIsFresh(join(root, "web"), join(root, "core/src"))).toBe(false);
    rmSync(join(root, "web/.next/standalone"), { recursive: true });
    utimesSync(join(root, "web/.next/BUILD_ID"), new Date(), new Date());
    expect(webBuildIsFresh(join(root, "web"), join(root, "core/src"))).toBe(false);
  });
});

describe("OpenNext's output is reused only when it packages the current Next.js build", () => {
  const openNext = (serverBuildId?: string) =>
    tree({
      "open-next.config.ts": "",
      ".next/BUILD_ID": "build-2",
      ".open-next/open-next.output.json": "{}",
      ...(serverBuildId ? { ".open-next/server-functions/default/packages/web/.next/BUILD_ID": serverBuildId } : {}),
    });

  it("takes the synth's stand-in (no server build) and an older build for stale", () => {
    expect(awsBuildIsFresh(openNext())).toBe(false);
    expect(awsBuildIsFresh(openNext("build-1"))).toBe(false);
  });

  it("reuses the output of the same build, until OpenNext's configuration changes", () => {
    const web = openNext("build-2");
    age(join(web, "open-next.config.ts"), 60);
    expect(awsBuildIsFresh(web)).toBe(true);
    writeFileSync(join(web, "open-next.config.ts"), "// changed");
    expect(awsBuildIsFresh(web)).toBe(false);
  });
});

describe("the server function carries none of the embedded stack's native modules", () => {
  it("removes SQLite's and DuckDB's packages, store entries and Next's links to them, and nothing else", () => {
    const fn = tree({
      "node_modules/.pnpm/better-sqlite3@12.11.1/node_modules/better-sqlite3/build/Release/better_sqlite3.node": "ELF",
      "node_modules/.pnpm/better-sqlite3@12.11.1/node_modules/bindings/index.js": "",
      "node_modules/.pnpm/@duckdb+node-bindings-linux-x64@1.5.6/node_modules/@duckdb/node-bindings-linux-x64/duckdb.node": "ELF",
      "node_modules/.pnpm/node_modules/@duckdb/node-api/index.js": "",
      "node_modules/.pnpm/next@16.4.6/node_modules/next/package.json": "{}",
      "node_modules/.pnpm/bindings@1.5.0/node_modules/bindings/index.js": "",
      "packages/web/.next/server/app/login/page.js": "",
    });
    mkdirSync(join(fn, "packages/web/.next/node_modules"), { recursive: true });
    symlinkSync(
      "../../../../node_modules/.pnpm/better-sqlite3@12.11.1/node_modules/better-sqlite3",
      join(fn, "packages/web/.next/node_modules/better-sqlite3-a9b1042f"),
    );
    const removed: string[] = pruneEmbeddedModules(fn);
    expect(removed.sort()).toEqual(
      [
        "node_modules/.pnpm/@duckdb+node-bindings-linux-x64@1.5.6",
        "node_modules/.pnpm/better-sqlite3@12.11.1",
        "node_modules/.pnpm/node_modules/@duckdb",
        "packages/web/.next/node_modules/better-sqlite3-a9b1042f",
      ].sort(),
    );
    expect(existsSync(join(fn, "node_modules/.pnpm/next@16.4.6/node_modules/next/package.json"))).toBe(true);
    expect(existsSync(join(fn, "node_modules/.pnpm/bindings@1.5.0/node_modules/bindings/index.js"))).toBe(true);
    expect(existsSync(join(fn, "packages/web/.next/server/app/login/page.js"))).toBe(true);
  });
});
