import { z } from "zod";

/** Deployment-wide settings that the engine needs; read from the environment once by `env.ts`. */
export const Settings = z.object({
  currency: z
    .string()
    .refine((c) => Intl.supportedValuesOf("currency").includes(c), "must be an ISO 4217 currency code such as XAF")
    .default("XAF"),
  timeZone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "unknown IANA time zone")
    .default("Africa/Douala"),
  maxAmount: z.number().positive().default(1e12),
  /** How far in the future a transaction's own timestamp may be (clock skew), in seconds. */
  maxFutureSkewSeconds: z.number().int().nonnegative().default(300),
});
export type Settings = z.infer<typeof Settings>;

export const defaultSettings: Settings = Settings.parse({});
