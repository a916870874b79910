export * from "./features.ts";
export * from "./geo.ts";
