export * from "./backtest.ts";
export * from "./result.ts";
