export * from "./users.ts";
export * from "./sign-in.ts";
export * from "./throttle.ts";
export * from "./ports.ts";
