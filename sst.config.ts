import type { SSTConfig } from "sst";
import { Api } from "./stacks/Api";
import { Core } from "./stacks/Core";
import { Lake } from "./stacks/Lake";
import { Pipeline } from "./stacks/Pipeline";
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
    app.setDefaultFunctionProps({ runtime: "nodejs20.x", architecture: "arm_64", nodejs: { format: "esm", sourcemap: true } });
    app.stack(Core).stack(Pipeline).stack(Lake).stack(Api).stack(Web);
  },
} satisfies SSTConfig;
