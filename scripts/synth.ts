// `npm run synth [outdir]`: writes the CloudFormation templates of a stage (SST_STAGE, default
// "synth") without AWS credentials, one <stack>.template.json per stack.
import path from "node:path";

process.env.NODE_ENV = "test";
const stage = process.env.SST_STAGE ?? "synth";
const outdir = path.resolve(process.argv[2] ?? ".sst/synth");
const { synthApp } = await import("../stacks/synth.ts");
const { assembly, placeholder } = await synthApp({ stage, outdir, account: process.env.CDK_DEFAULT_ACCOUNT });
console.log(
  placeholder
    ? "dashboard: a stand-in for the server function (npm run build:aws makes the real one)"
    : "dashboard: OpenNext's build in packages/web/.open-next",
);
for (const s of assembly.stacks) console.log(path.relative(process.cwd(), path.join(assembly.directory, s.templateFile)));
