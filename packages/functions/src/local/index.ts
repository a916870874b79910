export { openRuntime, type LocalRuntime } from "./runtime.ts";
