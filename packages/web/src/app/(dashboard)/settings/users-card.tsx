import { User } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { Badge, Card, Td, Th } from "@/components/ui";
import { runtime } from "@/server/runtime";
import { NewUserForm, ResetPasswordForm, UserControls } from "./settings-forms";

/** The dashboard's users and the form that adds one; admins only. */
export async function UsersCard({ me }: { me: Pick<User.User, "id" | "role"> }) {
  if (!User.can(me.role, "settings.edit")) return null;
  const t = await getTranslations("settings");
  const tr = await getTranslations("nav.roles");
  const users = await (await runtime()).platform.users.list();
  return (
    <Card title={t("users")} className="lg:col-span-2" bodyClassName="space-y-4">
      {/*
        One table; on a phone each user is a block instead of a row: name and status side by side,
        the controls under them across the card, so nothing hides past the card's edge.
      */}
      <div className="-mx-4 sm:mx-0">
        <table className="block w-full text-sm sm:table sm:min-w-full sm:divide-y sm:divide-slate-200">
          <caption className="sr-only">{t("list")}</caption>
          <thead className="hidden sm:table-header-group">
            <tr>
              <Th>{t("username")}</Th>
              <Th>{t("displayName")}</Th>
              <Th>{t("role")}</Th>
              <Th>{t("status")}</Th>
              <Th>{t("changeRole")}</Th>
            </tr>
          </thead>
          <tbody className="block divide-y divide-slate-100 sm:table-row-group">
            {users.map((u) => (
              <tr key={u.id} className="grid grid-cols-[minmax(0,1fr)_auto] sm:table-row">
                <Td className="font-medium break-all">
                  {u.username}
                  <span className="block text-xs font-normal text-slate-600 sm:hidden">{tr(u.role)}</span>
                </Td>
                <Td className="hidden sm:table-cell">{u.display_name}</Td>
                <Td className="hidden sm:table-cell">{tr(u.role)}</Td>
                <Td>
                  <div className="flex flex-wrap justify-end gap-1 sm:justify-start">
                    <Badge tone={u.disabled_at ? "gray" : "green"}>{u.disabled_at ? t("disabled") : t("active")}</Badge>
                    {u.must_change_password ? <Badge tone="amber">{t("mustChange")}</Badge> : null}
                  </div>
                </Td>
                <Td className={u.id !== me.id ? "col-span-2 pt-0 sm:pt-2" : "hidden sm:table-cell"}>
                  {u.id !== me.id ? (
                    <div className="space-y-2">
                      <UserControls id={u.id} username={u.username} role={u.role} disabled={u.disabled_at !== null} roles={User.ROLES} />
                      <ResetPasswordForm id={u.id} username={u.username} />
                    </div>
                  ) : (
                    <span className="text-xs text-slate-600">—</span>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="border-t border-slate-100 pt-4">
        <h3 className="mb-3 text-sm font-semibold text-slate-800">{t("createUser")}</h3>
        <NewUserForm roles={User.ROLES} />
      </div>
    </Card>
  );
}
