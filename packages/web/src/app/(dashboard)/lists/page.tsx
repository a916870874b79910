import { List, User } from "@fraud/core";
import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { removeListEntry } from "@/actions/lists";
import { ActionForm, SubmitButton } from "@/components/action-form";
import { Alert, Badge, Card, PageHeader, TableCard, Td, Th } from "@/components/ui";
import { when } from "@/lib/format";
import { requireUser } from "@/server/auth";
import { listEntries } from "@/server/lists";
import { AddEntryForm, ImportForm } from "./list-forms";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("lists"))("title") };
}

export default async function ListsPage() {
  const user = await requireUser();
  const t = await getTranslations("lists");
  const format = await getFormatter();
  const entries = await listEntries(user);
  const canEdit = User.can(user.role, "list.edit");
  const now = Date.now();
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="grid grid-cols-1 items-start gap-4 lg:grid-cols-3">
        <TableCard className="lg:col-span-2" caption={t("list")} empty={t("empty")} isEmpty={entries.length === 0}>
          <thead>
            <tr>
              <Th>{t("kind")}</Th>
              <Th>{t("field")}</Th>
              <Th>{t("value")}</Th>
              <Th>{t("reason")}</Th>
              <Th className="hidden sm:table-cell">{t("expires")}</Th>
              <Th className="hidden md:table-cell">{t("createdBy")}</Th>
              {canEdit ? <Th>{t("actions")}</Th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {entries.map((e) => {
              const expired = e.expires_at !== null && Date.parse(e.expires_at) <= now;
              return (
                <tr key={e.id} className={expired ? "text-slate-500" : ""}>
                  <Td>
                    <Badge tone={e.kind === "block" ? "red" : "green"}>{t(`kinds.${e.kind}`)}</Badge>
                  </Td>
                  <Td className="font-mono text-xs">{e.field}</Td>
                  <Td className="font-mono text-xs break-all">{e.value}</Td>
                  <Td className="max-w-xs">{e.reason}</Td>
                  <Td className="hidden text-xs whitespace-nowrap sm:table-cell">
                    {e.expires_at ? (expired ? t("expired") : when(format, e.expires_at, "long")) : t("never")}
                  </Td>
                  <Td className="hidden text-xs text-slate-600 md:table-cell">
                    {e.created_by} · {when(format, e.created_at)}
                  </Td>
                  {canEdit ? (
                    <Td>
                      <ActionForm action={removeListEntry} hidden={{ id: String(e.id) }} showMessage={false}>
                        <SubmitButton variant="ghost" size="sm" label={`${t("remove")} ${e.value}`}>
                          {t("remove")}
                        </SubmitButton>
                      </ActionForm>
                    </Td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </TableCard>
        <div className="space-y-4">
          {canEdit ? (
            <>
              <Card title={t("add")}>
                <AddEntryForm kinds={List.LIST_KINDS} fields={List.LIST_FIELDS} />
              </Card>
              <Card title={t("import")}>
                <ImportForm />
              </Card>
            </>
          ) : (
            <Alert tone="gray">{t("readOnly")}</Alert>
          )}
        </div>
      </div>
    </>
  );
}
