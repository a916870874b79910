import { Platform, User } from "@fraud/core";
import { openLocalRuntime } from "@fraud/core/local";
import { parseArgs } from "node:util";
import type { Command } from "../command.ts";

const HELP = `usage: npm run fraud -- keys list
       npm run fraud -- keys create --name <name> [--scope ingest] [--scope read] [--scope metrics]
       npm run fraud -- keys revoke <id>

API keys are stored hashed: the key itself is printed once, at creation.
Scopes: ingest (POST /api/transactions), read (GET /api/transactions/{id}, GET /api/reports),
metrics (GET /metrics, for Prometheus). Without --scope: ingest and read.`;

export const command: Command = {
  name: "keys",
  summary: "List, create (shown once) and revoke API keys",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { name: { type: "string" }, scope: { type: "string", multiple: true }, json: { type: "boolean", default: false }, help: { type: "boolean" } },
    });
    const [action, id] = positionals;
    if (values.help || !action) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    const rt = await openLocalRuntime(Platform.env());
    const actor = { id: `cli:${process.env.USER ?? "unknown"}` };
    try {
      if (action === "list") {
        const keys = await rt.platform.apiKeys.list();
        if (values.json) console.log(JSON.stringify(keys, null, 2));
        else
          for (const k of keys)
            console.log(
              `${k.id}  ${k.name.padEnd(20)} ${k.scopes.join(",").padEnd(12)} created ${k.created_at}${k.revoked_at ? `  REVOKED ${k.revoked_at}` : ""}`,
            );
        return 0;
      }
      if (action === "create") {
        const scopes = (values.scope ?? ["ingest", "read"]) as string[];
        const bad = scopes.filter((s) => !(User.API_KEY_SCOPES as readonly string[]).includes(s));
        if (!values.name || bad.length > 0) {
          console.error(bad.length ? `unknown scope(s): ${bad.join(", ")} (use ${User.API_KEY_SCOPES.join(", ")})` : "--name is required");
          return 2;
        }
        const { key, info } = await rt.platform.apiKeys.create(values.name, scopes as User.ApiKeyScope[], actor);
        console.log(values.json ? JSON.stringify({ ...info, key }, null, 2) : `created ${info.id} (${info.scopes.join(", ")})\nkey (shown once): ${key}`);
        return 0;
      }
      if (action === "revoke" && id) {
        await rt.platform.apiKeys.revoke(id, actor);
        console.log(`revoked ${id}`);
        return 0;
      }
      console.error(HELP);
      return 2;
    } finally {
      rt.platform.close();
    }
  },
};
