import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// What docs/deploy-aws.md tells an operator or a developer to type, checked against the
// repository: the npm scripts, SST's commands and options, the files it names.
const root = new URL("../../", import.meta.url);
const page = readFileSync(new URL("docs/deploy-aws.md", root), "utf8");
const scripts = (pkg: string): Record<string, string> => JSON.parse(readFileSync(new URL(`${pkg}package.json`, root), "utf8")).scripts;
const sstDir = new URL("node_modules/sst/", root);
const sstCommands = readdirSync(new URL("cli/commands/", sstDir))
  .filter((f) => f.endsWith(".js") || !f.includes("."))
  .map((f) => f.replace(/\.js$/, ""));

/** Each command of the page's shell blocks, without comments and leading variable assignments. */
function documentedCommands(): string[] {
  const blocks = [...page.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.replace(/\\\n/g, " ").split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "")
    .map((line) => line.replace(/^([A-Z_]+=("[^"]*"|'[^']*'|\S+)\s+)+/, ""));
}

describe("the AWS deployment page's commands", () => {
  const commands = documentedCommands();

  it("finds the development loop's commands on the page", () => {
    expect(commands).toEqual(
      expect.arrayContaining([
        "npx sst dev --stage dev-$USER",
        "npm run dev:aws",
        "node --inspect node_modules/sst/cli/sst.js dev --stage dev-$USER --increase-timeout",
        "npm run build:aws",
      ]),
    );
  });

  it("names npm scripts that exist", () => {
    const npm = commands.filter((c) => c.startsWith("npm ")).map((c) => /^npm (?:run )?([\w:-]+)/.exec(c)![1]!);
    expect(npm.length).toBeGreaterThanOrEqual(5);
    const defined = { ...scripts(""), test: "", start: "" };
    for (const s of npm) expect(Object.keys(defined), s).toContain(s);
  });

  it("names SST commands and options that this SST has", () => {
    const sst = commands.filter((c) => /(npx sst|sst\.js) /.test(c));
    expect(sst.length).toBeGreaterThanOrEqual(5);
    for (const c of sst) {
      const [command, ...rest] = c.replace(/^.*?(npx sst|sst\.js) /, "").split(/\s+/);
      expect(sstCommands, c).toContain(command);
      for (const option of rest.filter((w) => w.startsWith("--") && w !== "--stage")) {
        expect(readFileSync(new URL(`cli/commands/${command}.js`, sstDir), "utf8"), c).toContain(`"${option.slice(2)}"`);
      }
    }
  });

  it("names files that exist, and binds the dashboard with sst bind from its own folder", () => {
    for (const c of commands.filter((c) => c.startsWith("node "))) {
      const file = c.split(/\s+/).find((w, i) => i > 0 && !w.startsWith("-"))!;
      expect(existsSync(new URL(file, root)), c).toBe(true);
    }
    // `sst bind` finds the site by its working directory: the script runs in packages/web.
    expect(scripts("")["dev:aws"]).toMatch(/--filter @fraud\/web run dev:aws$/);
    expect(scripts("packages/web/")["dev:aws"]).toMatch(/(^|\s)sst bind next dev$/);
    expect(page).toContain("`sst bind next dev`");
  });
});
