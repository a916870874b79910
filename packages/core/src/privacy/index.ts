export * from "./personal-data.ts";
