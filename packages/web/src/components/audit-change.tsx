import { Code } from "./ui";

function text(v: unknown): string {
  if (v === null || v === undefined) return "∅";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Before and after of an audited change, key by key, as the server's data functions shaped them for the reader. */
export function AuditChange({ before, after }: { before: unknown; after: unknown }) {
  const show = text;
  const b = before && typeof before === "object" ? (before as Record<string, unknown>) : null;
  const a = after && typeof after === "object" ? (after as Record<string, unknown>) : null;
  if (!b && !a) return <span className="text-slate-500">—</span>;
  const keys = [...new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])];
  return (
    <ul className="space-y-0.5 text-xs">
      {keys.map((k) => {
        const from = b?.[k];
        const to = a?.[k];
        const same = JSON.stringify(from) === JSON.stringify(to);
        return (
          <li key={k} className="break-words">
            <span className="font-medium text-slate-700">{k}</span>:{" "}
            {b && a && !same ? (
              <>
                <del className="text-rose-800">
                  <Code>{show(from)}</Code>
                </del>{" "}
                → <Code>{show(to)}</Code>
              </>
            ) : (
              <Code>{show(a ? to : from)}</Code>
            )}
          </li>
        );
      })}
    </ul>
  );
}
