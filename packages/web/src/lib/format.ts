import type { useFormatter } from "next-intl";

export type Formatter = ReturnType<typeof useFormatter>;

/** Amounts in their currency, in the reader's language (XAF shows as FCFA). */
export function money(format: Formatter, amount: number, currency: string): string {
  return format.number(amount, { style: "currency", currency });
}

/** A moment in the reader's time zone. */
export function when(format: Formatter, iso: string | Date, style: "short" | "long" = "short"): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  return style === "long"
    ? format.dateTime(d, { dateStyle: "medium", timeStyle: "medium" })
    : format.dateTime(d, { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function percent(format: Formatter, fraction: number | null): string {
  return fraction === null ? "—" : format.number(fraction, { style: "percent", maximumFractionDigits: 1 });
}

export function ms(format: Formatter, value: number | null): string {
  return value === null ? "—" : `${format.number(value, { maximumFractionDigits: value < 10 ? 2 : 1 })} ms`;
}
