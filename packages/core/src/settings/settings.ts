import { z } from "zod";
import { citiesOf } from "../features/geo.ts";

/** The languages the dashboard speaks, and the shipped rules are named in. */
export const LANGUAGES = ["fr", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

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
  timeZone: z.string().refine(isTimeZone, "unknown IANA time zone").default("Africa/Douala"),
  maxAmount: z.number().positive().default(1e12),
  /** The language the shipped rules are named and described in when they are seeded. */
  language: z.enum(LANGUAGES).default("fr"),
  /**
   * The deployment's country (ISO 3166-1 alpha-2): the demo customers live in its cities, and the
   * test form starts from one of them. Only countries the gazetteer knows, since the location
   * features (distance, travel speed) measure nothing elsewhere.
   */
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 country code such as CM")
    .refine((c) => citiesOf(c).length > 0, "must be a country whose cities the gazetteer knows (packages/core/src/features/geo.ts), such as CM")
    .default("CM"),
  /** How far in the future a transaction's own timestamp may be (clock skew), in seconds. */
  maxFutureSkewSeconds: z.number().int().nonnegative().default(300),
});
export type Settings = z.infer<typeof Settings>;

export const defaultSettings: Settings = Settings.parse({});
