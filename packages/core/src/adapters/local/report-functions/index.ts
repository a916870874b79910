import { AGGREGATE_FUNCTIONS } from "./aggregates.ts";
import { SCALAR_FUNCTIONS } from "./scalars.ts";
import { STRUCTURED_FUNCTIONS } from "./structured.ts";

/**
 * The functions a report may call, by what they do: computations over the values of the rows it
 * reads. Left out on purpose: anything that reads the engine's state or configuration
 * (`current_setting`, `getvariable`, `current_database`, `current_query`, `version`, `stats`,
 * `duckdb_*`, `pragma_*`, the `pg_catalog` macros), reads or writes files or logs (`read_*`,
 * `glob`, `write_log`), parses or plans SQL (`json_serialize_sql`, `json_execute_serialized_sql`),
 * waits (`sleep_ms`), or changes session state (`setseed`, `nextval`).
 */
export const REPORT_FUNCTIONS: ReadonlySet<string> = new Set<string>([...AGGREGATE_FUNCTIONS, ...SCALAR_FUNCTIONS, ...STRUCTURED_FUNCTIONS]);
