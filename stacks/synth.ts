import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { App } from "sst/constructs";
import { initProject, useProject } from "sst/project.js";
import config from "../sst.config";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..");
export const WEB_PATH = path.join(REPO_ROOT, "packages/web");

/**
 * NextjsSite reads OpenNext's build output at synth time. Without a real `open-next build` (which
 * needs the registry and minutes), a minimal output stands in; a real build is never overwritten.
 */
export function writeOpenNextPlaceholderIfMissing(sitePath = WEB_PATH): string[] {
  const written: string[] = [];
  const put = (file: string, content: string) => {
    const full = path.join(sitePath, file);
    if (existsSync(full)) return;
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
    written.push(file);
  };
  const stub = "export const handler = async () => ({ statusCode: 503 });\n";
  put(".next/BUILD_ID", "synth-placeholder\n");
  put(".next/routes-manifest.json", JSON.stringify({ staticRoutes: [], dynamicRoutes: [] }));
  if (existsSync(path.join(sitePath, ".open-next", "open-next.output.json"))) return written;
  mkdirSync(path.join(sitePath, ".open-next/assets"), { recursive: true });
  put(".open-next/server-functions/default/index.mjs", stub);
  put(".open-next/image-optimization-function/index.mjs", stub);
  put(".open-next/revalidation-function/index.mjs", "export const handler = async () => ({});\n");
  const openNext = {
    edgeFunctions: {},
    origins: {
      s3: { type: "s3", originPath: "_assets", copy: [{ from: ".open-next/assets", to: "_assets", cached: true, versionedSubDir: "_next" }] },
      imageOptimizer: { type: "function", handler: "index.handler", bundle: ".open-next/image-optimization-function", streaming: false },
      default: { type: "function", handler: "index.handler", bundle: ".open-next/server-functions/default", streaming: false },
    },
    behaviors: [
      { pattern: "_next/image*", origin: "imageOptimizer" },
      { pattern: "_next/data/*", origin: "default" },
      { pattern: "*", origin: "default" },
      { pattern: "_next/*", origin: "s3" },
    ],
    additionalProps: { disableIncrementalCache: false, disableTagCache: false },
  };
  put(".open-next/open-next.output.json", JSON.stringify(openNext, null, 2));
  return written;
}

export interface SynthOptions {
  stage: string;
  outdir: string;
  account?: string;
  /** `dev` synthesizes the stage as `sst dev` deploys it: functions run on the developer's machine, the site is not deployed. */
  mode?: "deploy" | "dev";
}

/**
 * Synthesizes the SST app without AWS credentials (see shared/recipes/sst-offline-synth.md):
 * NODE_ENV must be "test" so SST skips the bootstrap lookup and the site build.
 */
export async function synthApp({ stage, outdir, account = "123456789012", mode = "deploy" }: SynthOptions) {
  if (process.env.NODE_ENV !== "test") throw new Error('offline synth needs NODE_ENV="test" (set before sst is imported)');
  writeOpenNextPlaceholderIfMissing();
  // OpenNext's server function holds the app under packages/web; the stand-in holds one file.
  const placeholder = !existsSync(path.join(WEB_PATH, ".open-next/server-functions/default/packages"));
  await initProject({ stage, root: REPO_ROOT });
  const { config: cfg } = useProject();
  rmSync(outdir, { recursive: true, force: true });
  const app = new App(
    { mode, stage, name: cfg.name, region: cfg.region, account },
    { outdir, context: { "aws:cdk:enable-path-metadata": false, "aws:cdk:disable-asset-staging": true } },
  );
  await config.stacks(app);
  await app.finish();
  const assembly = app.synth();
  /** Whether the dashboard's server function is the stand-in rather than OpenNext's build (`npm run build:aws`). */
  return { app, assembly, placeholder };
}
