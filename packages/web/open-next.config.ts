import type { OpenNextConfig } from "@opennextjs/aws/types/open-next.js";

/**
 * OpenNext's build of the dashboard for the AWS deployment (`npm run build:aws`, and `sst deploy`
 * through stacks/Web.ts): the default Lambda server function behind CloudFront, as SST's
 * NextjsSite deploys it. The Next.js build itself is the one `npm run setup` makes, reused when
 * it is up to date.
 */
const config = {
  default: {},
  buildCommand: "node ../../scripts/setup.mjs",
} satisfies OpenNextConfig;

export default config;
