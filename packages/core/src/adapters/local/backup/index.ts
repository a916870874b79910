export * from "./errors.ts";
export * from "./manifest.ts";
export { formatBytes } from "./files.ts";
export * from "./backup.ts";
export * from "./restore.ts";
