import { can, ROLES, type User } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { Badge, Card, Table, Td, Th } from "@/components/ui";
import { runtime } from "@/server/runtime";
import { NewUserForm, ResetPasswordForm, UserControls } from "./settings-forms";

/** The dashboard's users and the form that adds one; admins only. */
export async function UsersCard({ me }: { me: Pick<User, "id" | "role"> }) {
  if (!can(me.role, "settings.edit")) return null;
  const t = await getTranslations("settings");
  const tr = await getTranslations("nav.roles");
  const users = await (await runtime()).platform.users.list();
  return (
    <Card title={t("users")} className="lg:col-span-2" bodyClassName="space-y-4">
      <Table caption={t("list")}>
        <thead>
          <tr>
            <Th>{t("username")}</Th>
            <Th className="hidden sm:table-cell">{t("displayName")}</Th>
            <Th className="hidden sm:table-cell">{t("role")}</Th>
            <Th>{t("status")}</Th>
            <Th>{t("changeRole")}</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {users.map((u) => (
            <tr key={u.id}>
              <Td className="font-medium">
                {u.username}
                {/* On a phone the role sits under the name instead of in a column of its own. */}
                <span className="block text-xs font-normal text-slate-600 sm:hidden">{tr(u.role)}</span>
              </Td>
              <Td className="hidden sm:table-cell">{u.display_name}</Td>
              <Td className="hidden sm:table-cell">{tr(u.role)}</Td>
              <Td>
                <div className="flex flex-wrap gap-1">
                  <Badge tone={u.disabled_at ? "gray" : "green"}>{u.disabled_at ? t("disabled") : t("active")}</Badge>
                  {u.must_change_password ? <Badge tone="amber">{t("mustChange")}</Badge> : null}
                </div>
              </Td>
              <Td>
                {u.id !== me.id ? (
                  <div className="space-y-2">
                    <UserControls id={u.id} username={u.username} role={u.role} disabled={u.disabled_at !== null} roles={ROLES} />
                    <ResetPasswordForm id={u.id} username={u.username} />
                  </div>
                ) : (
                  <span className="text-xs text-slate-600">—</span>
                )}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      <div className="border-t border-slate-100 pt-4">
        <h3 className="mb-3 text-sm font-semibold text-slate-800">{t("createUser")}</h3>
        <NewUserForm roles={ROLES} />
      </div>
    </Card>
  );
}
