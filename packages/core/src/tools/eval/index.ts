export * from "./csv.ts";
export * from "./csv-file.ts";
export * from "./formats.ts";
export * from "./metrics.ts";
export * from "./replay.ts";
export { MOBILE_MONEY_RULESET } from "../../ruleset/mobile-money.ts";
export { CARD_RULESET } from "../../ruleset/card.ts";
