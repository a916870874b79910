export * from "./report.ts";
export * from "./builtin-reports.ts";
export * from "./service.ts";
export * from "./athena.ts";
export * from "./csv.ts";
