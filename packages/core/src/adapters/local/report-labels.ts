import type { Db } from "./sqlite.ts";

/** Review labels as the runner loads them; `version` changes whenever a label does. */
export interface LabelSource {
  version(): string;
  rows(): Iterable<{ transaction_id: string; label: string }>;
}

/** The labels of the review queue (SQLite `reviews`). */
export function sqliteLabels(db: Db): LabelSource {
  const version = db.prepare<[], { n: number; last: string | null }>("SELECT count(*) AS n, max(updated_at) AS last FROM reviews WHERE label IS NOT NULL");
  const rows = db.prepare<[], { transaction_id: unknown; label: unknown }>("SELECT transaction_id, label FROM reviews WHERE label IS NOT NULL");
  return {
    version: () => {
      const v = version.get();
      return `${v?.n ?? 0}:${v?.last ?? ""}`;
    },
    *rows() {
      for (const r of rows.iterate()) {
        if (typeof r.transaction_id === "string" && typeof r.label === "string") yield { transaction_id: r.transaction_id, label: r.label };
      }
    },
  };
}
