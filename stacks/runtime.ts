/**
 * The Node.js runtime of every Lambda function of the deployment, the dashboard's server function
 * included, and the esbuild target its bundles are built for. Node.js 20 reached its end of life
 * in April 2026; 22 is the oldest supported LTS that Lambda offers (docs/decisions/055-lambda-on-nodejs-22.md).
 */
export const LAMBDA_RUNTIME = "nodejs22.x";
export const BUNDLE_TARGET = "node22";
