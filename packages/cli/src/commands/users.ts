import { Platform, User } from "@fraud/core";
import { openLocalRuntime } from "@fraud/core/local";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";

const HELP = `usage: npm run fraud -- users list
       npm run fraud -- users reset-password <user name>

reset-password gives the user a temporary password, printed once, that they must replace at their
next sign-in; their open sessions end. It is the way back into the dashboard when no admin can sign
in (FRAUD_ADMIN_PASSWORD only creates the admin account on the first start). Whoever can run it
can read the data directory already.`;

export const command: Command = {
  name: "users",
  summary: "List dashboard users; reset a password (a temporary one, shown once)",
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { help: { type: "boolean" } } });
    const [action, username] = positionals;
    if (values.help || !action) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    const rt = await openLocalRuntime(Platform.env());
    try {
      if (action === "list") {
        for (const u of await rt.platform.users.list()) {
          console.log(
            `${u.username.padEnd(24)} ${u.role.padEnd(8)} ${u.disabled_at ? "disabled" : "active"}${u.must_change_password ? "  (must change password)" : ""}`,
          );
        }
        return 0;
      }
      if (action === "reset-password" && username) {
        const user = await rt.platform.users.byUsername(username.trim().toLowerCase());
        if (!user) {
          console.error(`no user named ${username}`);
          return 2;
        }
        const { password } = await User.resetPassword(rt.platform.users, user.id, { id: `cli:${process.env.USER ?? "unknown"}`, userId: "" });
        console.log(`temporary password for ${user.username} (shown once; to be changed at the next sign-in): ${password}`);
        return 0;
      }
      console.error(HELP);
      return 2;
    } finally {
      rt.platform.close();
    }
  },
};
