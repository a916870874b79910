import { z } from "zod";

/** One change to the system: who did what to which thing, when, with the values before and after. */
export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entity: z.string(),
  entity_id: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export interface AuditQuery {
  entity?: string;
  entity_id?: string;
  actor?: string;
  /** Only entries older than this id, for paging newest first. */
  before_id?: number;
  limit?: number;
}
