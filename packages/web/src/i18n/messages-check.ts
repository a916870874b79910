import type { Errors } from "@fraud/core";
import type en from "../../messages/en.json";
import type fr from "../../messages/fr.json";

/** Both languages must have the same keys: the type checker refuses a message missing in one. */
type SameKeys<A, B> = A extends string
  ? B extends string
    ? true
    : false
  : { [K in keyof A | keyof B]: K extends keyof A ? (K extends keyof B ? SameKeys<A[K], B[K]> : false) : false };
type AllTrue<T> = T extends true ? true : T extends object ? ({ [K in keyof T]: AllTrue<T[K]> }[keyof T] extends true ? true : false) : false;
export const messagesMatch: AllTrue<SameKeys<typeof fr, typeof en>> & AllTrue<SameKeys<typeof en, typeof fr>> = true;

/** The catalogue says every error code core has, and no other: the type checker refuses a gap or a stale message. */
type VisibleKeys = keyof typeof en.errors.visible;
export const errorCodesMatch: [Errors.ErrorCode] extends [VisibleKeys] ? ([VisibleKeys] extends [Errors.ErrorCode] ? true : false) : false = true;
