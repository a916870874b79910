import type { transactionDetail } from "@/server/decisions";

/** What the transaction page shows, as the server reads it for the signed-in user. */
export type Detail = NonNullable<Awaited<ReturnType<typeof transactionDetail>>>;
export type Decision = Detail["decision"];
