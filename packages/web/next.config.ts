import path from "node:path";
import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./src/i18n/request.ts");

const config: NextConfig = {
  transpilePackages: ["@fraud/core"],
  // Native modules load from node_modules at run time; the custom server shares one instance of each.
  serverExternalPackages: ["better-sqlite3", "@duckdb/node-api", "@duckdb/node-bindings"],
  // Every build also makes the standalone server that OpenNext packages for Lambda
  // (scripts/build-aws.mjs); its files are traced from the repository's root, where pnpm keeps them.
  outputFileTracingRoot: path.join(import.meta.dirname, "../.."),
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  experimental: {
    serverActions: { bodySizeLimit: "2mb" },
  },
};

export default withNextIntl(config);
