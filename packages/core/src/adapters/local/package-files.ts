import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where `id` resolves from the module or directory `from`, if it does. */
export function resolveFrom(from: string, id: string): string | undefined {
  try {
    return createRequire(from).resolve(id);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") return undefined;
    throw e;
  }
}

/** Where this module's own package resolves from: its file, or the working directory when it was bundled. */
export const anchors = () => [fileURLToPath(import.meta.url), join(process.cwd(), "package.json")];

/**
 * A file that ships beside the local adapters' sources (the report process's entry, the SQL
 * migrations): found beside this module when it runs from source, or through the package from the
 * working directory when a bundler moved this module (the dashboard's Next build).
 */
export function localAdapterFile(name: string): string {
  const here = join(dirname(anchors()[0]!), name);
  if (existsSync(here)) return here;
  const local = resolveFrom(anchors()[1]!, "@fraud/core/local");
  if (!local) throw new Error(`${name} cannot be found beside the local adapters`);
  return join(dirname(local), name);
}
