export * from "./decision.ts";
export * from "./scoring.ts";
