import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { App } from "sst/constructs";
import { synthApp, type SynthOptions } from "../synth";

// CloudFormation templates are read as loose JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export interface Synthesized {
  app: App;
  /** Whether the dashboard's server function was the synth's stand-in rather than OpenNext's build. */
  placeholder: boolean;
  /** Each stack's template, by the stack's short name (`Core`, `Web`...). */
  templates: Record<string, Json>;
  /** Every resource of a type, in every stack or in the ones named. */
  resources(type: string, only?: string[]): Array<{ stack: string; id: string; props: Json }>;
  /** Where the synthesized asset of a hash is (a function's bundle, or the zip of one). */
  assetPath(hash: string): string | undefined;
  remove(): void;
}

/** Synthesizes a stage into a temporary folder and reads back its templates and assets. */
export async function synthesize(options: Omit<SynthOptions, "outdir">): Promise<Synthesized> {
  const outdir = mkdtempSync(path.join(tmpdir(), `fraud-synth-${options.stage}-`));
  const { app, assembly, placeholder } = await synthApp({ ...options, outdir });
  const templates: Record<string, Json> = {};
  for (const s of assembly.stacks) templates[s.stackName.replace(`${options.stage}-${app.name}-`, "")] = s.template as Json;
  const assets = new Map<string, string>();
  for (const file of readdirSync(assembly.directory).filter((f) => f.endsWith(".assets.json"))) {
    const manifest = JSON.parse(readFileSync(path.join(assembly.directory, file), "utf8")) as { files: Record<string, { source: { path: string } }> };
    for (const [hash, asset] of Object.entries(manifest.files)) assets.set(hash, path.resolve(assembly.directory, asset.source.path));
  }
  return {
    app,
    placeholder,
    templates,
    resources(type, only) {
      const out: Array<{ stack: string; id: string; props: Json }> = [];
      for (const stack of only ?? Object.keys(templates)) {
        for (const [id, r] of Object.entries((templates[stack]?.Resources ?? {}) as Json)) {
          if (r.Type === type) out.push({ stack, id, props: r.Properties ?? {} });
        }
      }
      return out;
    },
    assetPath: (hash) => assets.get(hash),
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
