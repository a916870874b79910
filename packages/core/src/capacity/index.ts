export * from "./stream.ts";
