import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { Platform } from "@fraud/core";
import { freePort, kill9, startProcess, waitForHealth, type Proc } from "../../packages/server/test/processes.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

const dockerfile = DockerfileParser.parse(read("Dockerfile"));
const instructions = dockerfile.getInstructions();
/** The instructions of each stage, by the stage's name. */
const stages = new Map<string, Instruction[]>();
let current: Instruction[] = [];
for (const i of instructions) {
  if (i.getKeyword() === "FROM") {
    current = [];
    stages.set(
      dockerfile
        .getFROMs()
        .find((f) => f.getRange().start.line === i.getRange().start.line)
        ?.getBuildStage() ?? "",
      current,
    );
  }
  current.push(i);
}
const runtimeName = [...stages.keys()].at(-1)!;
const runtime = stages.get(runtimeName)!;
const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const only = (keyword: string) => {
  const found = runtime.filter((i) => i.getKeyword() === keyword);
  expect(found.length, `${keyword} in the runtime stage`).toBe(1);
  return found[0]!;
};
/** An instruction's exec form (a JSON array after its flags and, for HEALTHCHECK, CMD). */
const execForm = (i: Instruction) => z.array(z.string()).parse(JSON.parse(i.getArgumentsContent()!.replace(/^(--\S+\s+)*(CMD\s+)?/, "")));
const runtimeEnv = Object.fromEntries(runtime.filter((i) => i.getKeyword() === "ENV").flatMap((i) => args(i).map((a) => a.split("=", 2) as [string, string])));

/** Whether .dockerignore leaves `path` out of the build context (its patterns as plain paths and `**` prefixes). */
const ignored = (path: string) =>
  read(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .some((pattern) => {
      const bare = pattern.replace(/^\*\*\//, "");
      return path === bare || path.startsWith(`${bare}/`) || (pattern.startsWith("**/") && path.split("/").includes(bare));
    });

describe("the Dockerfile", () => {
  it("builds in a stage of its own and runs on Node's slim image of an LTS line", () => {
    expect(stages.size).toBeGreaterThanOrEqual(2);
    expect([...stages.keys()].every((name) => name !== "")).toBe(true);
    const from = dockerfile.getFROMs();
    const runtimeFrom = from.at(-1)!;
    expect(runtimeFrom.getImageName()).toBe("node");
    const [, major] = /^(\d+)-[a-z]+-slim$/.exec(runtimeFrom.getImageTag() ?? "") ?? [];
    // Node's LTS lines are its even-numbered ones.
    expect(Number(major) % 2).toBe(0);
    expect(Number(major)).toBeGreaterThanOrEqual(22);
    // The build stage compiles native modules for the same Node.
    expect(from[0]!.getImageTag()).toMatch(new RegExp(`^${major}-`));
    const fromStage = dockerfile.getCOPYs().find((c) => c.getFromFlag())!;
    expect([...stages.keys()].slice(0, -1)).toContain(fromStage.getFromFlag()!.getValue());
  });

  it("runs the processes as a user other than root", () => {
    const user = only("USER");
    expect(args(user)[0]).not.toMatch(/^(root|0)(:|$)/);
    expect(user.getRange().start.line).toBeLessThan(only("CMD").getRange().start.line);
  });

  it("keeps the data directory, owner-only, in a volume, and listens on 3000 on every interface", () => {
    expect(runtimeEnv.FRAUD_DATA_DIR).toBe("/data");
    const volume = only("VOLUME");
    expect(execForm(volume)).toContain(runtimeEnv.FRAUD_DATA_DIR);
    const setup = runtime.filter((i) => i.getKeyword() === "RUN").map((i) => i.getArgumentsContent() ?? "");
    expect(setup.some((s) => new RegExp(`chmod 700 ${runtimeEnv.FRAUD_DATA_DIR}\\b`).test(s))).toBe(true);
    expect(args(only("EXPOSE"))).toEqual(["3000"]);
    expect(runtimeEnv.PORT).toBe("3000");
    expect(runtimeEnv.HOST).toBe("0.0.0.0");
    // The settings it sets are the platform's own, and valid.
    expect(() => Platform.env(runtimeEnv)).not.toThrow();
  });

  it("starts the product with the command the README gives, npm start's", () => {
    const start = z.object({ scripts: z.object({ start: z.string() }) }).parse(JSON.parse(read("package.json"))).scripts.start;
    expect(execForm(only("CMD"))).toEqual(start.split(" "));
    expect(read("README.md")).toMatch(/^npm start\b/m);
    expect(read("README.md")).toMatch(/^docker compose up\b/m);
  });

  it("copies only files that exist and that the build context holds", () => {
    for (const copy of dockerfile.getCOPYs().filter((c) => !c.getFromFlag())) {
      const sources = args(copy).slice(0, -1);
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) {
        expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
        if (source !== ".") expect({ source, ignored: ignored(source) }).toEqual({ source, ignored: false });
      }
    }
    for (const path of ["node_modules", ".data", ".env", ".git", ".tools", "packages/web/.next", "packages/core/node_modules"])
      expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: true });
  });

  describe("its health check", () => {
    const running: Proc[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), "fraud-healthcheck-"));
    afterAll(async () => {
      for (const p of running) if (p.child.exitCode === null) await kill9(p);
      rmSync(dataDir, { recursive: true, force: true });
    });
    const check = (port: number) => {
      const [command, ...rest] = execForm(only("HEALTHCHECK"));
      return spawnSync(command === "node" ? process.execPath : command!, rest, { env: { ...process.env, PORT: String(port) }, timeout: 10_000 }).status;
    };

    it("passes against a running server and fails when nothing answers", async () => {
      // A check that hangs counts as failed, and the first start (seeding, the dashboard's start) has time before checks count.
      const flags = dockerfile
        .getHEALTHCHECKs()[0]!
        .getFlags()
        .map((f) => f.getName());
      expect(flags).toEqual(expect.arrayContaining(["timeout", "start-period"]));
      // FRAUD_TEST_PORT: a fixed port, where the machine's ports are shared out among checkouts.
      const port = Number(process.env.FRAUD_TEST_PORT) || (await freePort());
      expect(check(port)).toBe(1);
      const server = startProcess("server.ts", {
        FRAUD_DATA_DIR: dataDir,
        PORT: String(port),
        FRAUD_DASHBOARD: "off",
        FRAUD_API_KEY: "healthcheck-key-0123456789",
        FRAUD_ADMIN_PASSWORD: "healthcheck-admin-pw",
      });
      running.push(server);
      await waitForHealth(`http://127.0.0.1:${port}`);
      expect(check(port)).toBe(0);
    }, 90_000);
  });
});

describe("compose.yaml", () => {
  const compose = parseYaml(read("compose.yaml")) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  // The schema names draft-07's meta-schema by its https address; it is the one Ajv ships.
  ajv.addMetaSchema(createRequire(import.meta.url)("ajv/dist/refs/json-schema-draft-07.json") as object, "https://json-schema.org/draft-07/schema");
  const validate = ajv.compile(JSON.parse(read("scripts/test/compose-spec/compose-spec.json")) as object);

  it("is a valid Compose file by the Compose Specification's schema", () => {
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    // The schema does refuse what is not Compose.
    expect(validate({ services: { fraud: { volumes: 5 } } })).toBe(false);
  });

  const Service = z.object({
    build: z.string(),
    environment: z.record(z.string(), z.string()),
    env_file: z.array(z.object({ path: z.string(), required: z.boolean() })),
    volumes: z.array(z.string()),
    ports: z.array(z.string()),
  });
  const parsed = z.object({ services: z.record(z.string(), Service), volumes: z.record(z.string(), z.null()) }).parse(compose);
  const [service] = Object.values(parsed.services);

  it("builds this Dockerfile and keeps the data directory on a named volume", () => {
    expect(service!.build).toBe(".");
    const data = service!.volumes.map((v) => v.split(":")).find(([, target]) => target === service!.environment.FRAUD_DATA_DIR);
    expect(data).toBeDefined();
    expect(Object.keys(parsed.volumes)).toContain(data![0]);
    expect(service!.environment.FRAUD_DATA_DIR).toBe(runtimeEnv.FRAUD_DATA_DIR);
    expect(service!.ports.map((p) => p.split(":").at(-1))).toEqual(args(only("EXPOSE")));
  });

  it("takes credentials from an uncommitted file, never from its own text", () => {
    expect(service!.env_file).toEqual([{ path: ".env", required: false }]);
    expect(read(".gitignore").split("\n")).toContain(".env");
    expect(Object.keys(service!.environment).filter((k) => /KEY|PASSWORD|SECRET/.test(k))).toEqual([]);
    expect(() => Platform.env(service!.environment)).not.toThrow();
  });
});
