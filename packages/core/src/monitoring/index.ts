export * from "./monitoring.ts";
export * from "./webhook.ts";
