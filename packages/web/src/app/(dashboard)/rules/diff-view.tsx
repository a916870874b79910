import { useTranslations } from "next-intl";
import { Badge, Code, Table, Td, Th } from "@/components/ui";
import type { RulesetDiff } from "@/server/rules";

export function DiffView({ diff }: { diff: RulesetDiff }) {
  const t = useTranslations("rules");
  if (diff.same) return <p className="text-sm text-slate-600">{t("noChanges")}</p>;
  return (
    <div className="space-y-4 text-sm">
      {diff.added.length > 0 ? (
        <section>
          <h3 className="mb-1 font-semibold text-emerald-800">+ {t("added")}</h3>
          <ul className="space-y-1">
            {diff.added.map((r) => (
              <li key={r.id} className="rounded-md bg-emerald-50 px-3 py-2">
                <span className="font-mono text-xs font-semibold">{r.id}</span> · {r.name} · <Badge tone="gray">{r.score}</Badge>
                <pre className="mt-1 font-mono text-xs whitespace-pre-wrap text-emerald-900">{r.expression}</pre>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {diff.removed.length > 0 ? (
        <section>
          <h3 className="mb-1 font-semibold text-rose-800">− {t("removed")}</h3>
          <ul className="space-y-1">
            {diff.removed.map((r) => (
              <li key={r.id} className="rounded-md bg-rose-50 px-3 py-2">
                <span className="font-mono text-xs font-semibold">{r.id}</span> · {r.name}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {diff.changed.length > 0 ? (
        <section>
          <h3 className="mb-1 font-semibold text-amber-900">~ {t("changed")}</h3>
          <Table caption={t("changed")}>
            <thead>
              <tr>
                <Th>{t("id")}</Th>
                <Th>{t("field")}</Th>
                <Th>{t("before")}</Th>
                <Th>{t("after")}</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {diff.changed.flatMap((c) =>
                c.fields.map((f) => (
                  <tr key={`${c.id}-${f.field}`}>
                    <Td className="font-mono text-xs">{c.id}</Td>
                    <Td>{f.field}</Td>
                    <Td>
                      <del className="text-rose-800">
                        <Code>{f.before}</Code>
                      </del>
                    </Td>
                    <Td>
                      <ins className="text-emerald-800 no-underline">
                        <Code>{f.after}</Code>
                      </ins>
                    </Td>
                  </tr>
                )),
              )}
            </tbody>
          </Table>
        </section>
      ) : null}
      {diff.settings.length > 0 ? (
        <section>
          <h3 className="mb-1 font-semibold text-slate-800">{t("settingsChanged")}</h3>
          <ul className="space-y-1">
            {diff.settings.map((s) => (
              <li key={s.field}>
                <span className="font-mono text-xs">{s.field}</span>: <Code>{s.before}</Code> → <Code>{s.after}</Code>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
