export * from "./env.ts";
export * from "./platform.ts";
export * from "./ports.ts";
