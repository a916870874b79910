import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import type { App } from "sst/constructs";
import { synthApp, type SynthOptions } from "../synth";

// CloudFormation templates are read as loose JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

/** The stacks of a stage, by short name. */
export type StackName = "Core" | "Pipeline" | "Lake" | "Api" | "Web";

export interface Synthesized {
  app: App;
  /** Whether the dashboard's server function was the synth's stand-in rather than OpenNext's build. */
  placeholder: boolean;
  /** Each stack's template, by the stack's short name (`Core`, `Web`...). */
  json: Record<string, Json>;
  /** The same templates, for CDK's assertions. */
  templates: Record<StackName, Template>;
  /** Every resource of a type, in every stack or in the ones named. */
  resources(type: string, only?: string[]): Array<{ stack: string; id: string; props: Json }>;
  /** Where the synthesized asset of a hash is (a function's bundle, or the zip of one). */
  assetPath(hash: string): string | undefined;
  /** Every policy document of every stack, with where it is. */
  policyDocuments(): Array<{ where: string; doc: Json; keyPolicy: boolean }>;
  remove(): void;
}

/** Synthesizes a stage into a temporary folder and reads back its templates and assets. */
export async function synthesize(stageOrOptions: string | Omit<SynthOptions, "outdir">): Promise<Synthesized> {
  const options = typeof stageOrOptions === "string" ? { stage: stageOrOptions } : stageOrOptions;
  const outdir = mkdtempSync(path.join(tmpdir(), `fraud-synth-${options.stage}-`));
  const { app, assembly, placeholder } = await synthApp({ ...options, outdir });
  const json: Record<string, Json> = {};
  for (const s of assembly.stacks) json[s.stackName.replace(`${options.stage}-${app.name}-`, "")] = s.template as Json;
  const templates = Object.fromEntries(Object.entries(json).map(([name, t]) => [name, Template.fromJSON(t)])) as Record<StackName, Template>;
  const assets = new Map<string, string>();
  for (const file of readdirSync(assembly.directory).filter((f) => f.endsWith(".assets.json"))) {
    const manifest = JSON.parse(readFileSync(path.join(assembly.directory, file), "utf8")) as { files: Record<string, { source: { path: string } }> };
    for (const [hash, asset] of Object.entries(manifest.files)) assets.set(hash, path.resolve(assembly.directory, asset.source.path));
  }
  return {
    app,
    placeholder,
    json,
    templates,
    resources(type, only) {
      const out: Array<{ stack: string; id: string; props: Json }> = [];
      for (const stack of only ?? Object.keys(json)) {
        for (const [id, r] of Object.entries((json[stack]?.Resources ?? {}) as Json)) {
          if (r.Type === type) out.push({ stack, id, props: r.Properties ?? {} });
        }
      }
      return out;
    },
    assetPath: (hash) => assets.get(hash),
    policyDocuments: () => policyDocuments(json),
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

export const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The CMK is `DataKey` in Core; other stacks import its ARN. */
export const usesDataKey = (value: unknown) => /DataKey[0-9A-F]{8}/.test(JSON.stringify(value ?? null));

/** Every policy document of every stack's template, with where it is. */
export function policyDocuments(templates: Record<string, Json>): Array<{ where: string; doc: Json; keyPolicy: boolean }> {
  const docs: Array<{ where: string; doc: Json; keyPolicy: boolean }> = [];
  for (const [stack, template] of Object.entries(templates)) {
    for (const [id, r] of Object.entries((template.Resources ?? {}) as Json)) {
      const p = r.Properties ?? {};
      if (p.PolicyDocument) docs.push({ where: `${stack}/${id}`, doc: p.PolicyDocument, keyPolicy: false });
      if (p.KeyPolicy) docs.push({ where: `${stack}/${id}`, doc: p.KeyPolicy, keyPolicy: true });
      for (const inline of p.Policies ?? []) docs.push({ where: `${stack}/${id}`, doc: inline.PolicyDocument, keyPolicy: false });
    }
  }
  return docs;
}

/** The statements of a stack's IAM policies whose id matches. */
export function statementsOf(synth: Synthesized, stack: string, policy: RegExp): Json[] {
  return synth
    .resources("AWS::IAM::Policy", [stack])
    .filter((p) => policy.test(p.id))
    .flatMap((p) => list<Json>(p.props.PolicyDocument.Statement));
}
