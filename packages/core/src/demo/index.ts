export * from "./ruleset.ts";
export * from "./scenario.ts";
export * from "./seed.ts";
export * from "./synthetic.ts";
