import { z } from "zod";

/** Whether a value names an IANA time zone the runtime knows (such as Africa/Douala). */
export function isTimeZone(value: string | undefined): value is string {
  // No zone name comes near 64 characters; the cap keeps a forged cookie from reaching Intl.
  if (!value || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Deployment-wide settings that the engine needs; read from the environment once by `env.ts`. */
export const Settings = z.object({
  currency: z
    .string()
    .refine((c) => Intl.supportedValuesOf("currency").includes(c), "must be an ISO 4217 currency code such as XAF")
    .default("XAF"),
  timeZone: z
    .string()
    .refine(isTimeZone, "unknown IANA time zone")
    .default("Africa/Douala"),
  maxAmount: z.number().positive().default(1e12),
  /** How far in the future a transaction's own timestamp may be (clock skew), in seconds. */
  maxFutureSkewSeconds: z.number().int().nonnegative().default(300),
});
export type Settings = z.infer<typeof Settings>;

export const defaultSettings: Settings = Settings.parse({});
