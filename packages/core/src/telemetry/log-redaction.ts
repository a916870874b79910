import { maskPersonalData } from "../privacy/personal-data.ts";

/**
 * Shapes of the secrets this platform issues, hidden wherever they appear in a log line: API keys
 * (`fk_...`), webhook signing secrets (`whsec_...`) and anything sent as a bearer credential.
 */
const SECRET_SHAPES = /\bfk_[A-Za-z0-9_-]{8,}|\bwhsec_[A-Za-z0-9+/=_-]{8,}|\b(Bearer|Basic)\s+[^\s",]+/gi;

/** Secrets of this deployment whose text is chosen by its operator (FRAUD_API_KEY, FRAUD_ADMIN_PASSWORD): no shape to find them by. */
const registered = new Set<string>();

/**
 * Registers secrets that never appear in this process's logs, whatever their shape: the
 * deployment's API key, admin password and webhook secrets, once they are loaded.
 */
export function registerLogSecrets(values: Iterable<string | undefined>): void {
  // Shorter strings would mask ordinary words; every secret the settings accept is longer.
  for (const v of values) if (v && v.length >= 10) registered.add(v);
}

/** A log line as it may be written: personal data masked, secrets replaced by `***`. */
export function redactLogText(text: string): string {
  // Secrets first: masking digits could change one so that it is no longer found.
  let out = text;
  for (const secret of registered) if (out.includes(secret)) out = out.replaceAll(secret, "***");
  return maskPersonalData(out.replace(SECRET_SHAPES, (_m, scheme: string | undefined) => (scheme ? `${scheme} ***` : "***")));
}
