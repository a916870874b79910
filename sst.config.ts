import type { SSTConfig } from "sst";
import { Api } from "./stacks/Api";
import { Core } from "./stacks/Core";
import { Lake } from "./stacks/Lake";
import { Pipeline } from "./stacks/Pipeline";
import { BUNDLE_TARGET, LAMBDA_RUNTIME } from "./stacks/runtime";
import { Web } from "./stacks/Web";

export default {
  config(input) {
    return {
      name: "fraud",
      region: process.env.AWS_REGION ?? "eu-west-3",
      stage: input.stage,
    };
  },
  stacks(app) {
    // Personal and test stages go away whole with `sst remove`; prod keeps its data (tables, lake, key).
    if (app.stage !== "prod") app.setDefaultRemovalPolicy("destroy");
    app.setDefaultFunctionProps({
      runtime: LAMBDA_RUNTIME,
      architecture: "arm_64",
      nodejs: { format: "esm", sourcemap: true, esbuild: { target: BUNDLE_TARGET } },
    });
    app.stack(Core).stack(Pipeline).stack(Lake).stack(Api).stack(Web);
  },
} satisfies SSTConfig;
