export * from "./transaction.ts";
