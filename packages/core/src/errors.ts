/** An error a caller can act on: it carries a stable code and, for bad input, the failing fields. */
export class VisibleError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string[]>,
  ) {
    super(message);
    this.name = "VisibleError";
  }
}

/** The store cannot accept writes right now (disk full, read-only): retry later, nothing was written. */
export class UnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UnavailableError";
  }
}
