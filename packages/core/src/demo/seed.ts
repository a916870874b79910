import { demoRuleset } from "./ruleset.ts";
import { demoCustomers } from "./scenario.ts";
import type { ProfileStore, RuleStore } from "../platform/ports.ts";
import { profileFromSummary } from "../profile/profile.ts";
import { RulesetContent } from "../ruleset/ruleset.ts";
import type { Settings } from "../settings/settings.ts";
import { type Actor } from "../user/users.ts";

export interface SeedReport {
  profilesCreated: string[];
  rulesetPublished: number | null;
}

const NOTE = { fr: "jeu de règles de démonstration", en: "demo ruleset" } as const;

/**
 * The demo customers and the demo ruleset. With a deployment's settings, the customers live in
 * its country and the rules are named in its language; without, they are the lab's customers and
 * English rules. Idempotent: existing data is left as it is.
 */
export async function seedDemo(
  stores: { profiles: ProfileStore; rules: RuleStore },
  now: Date,
  options: { actor?: Actor; settings?: Pick<Settings, "language" | "country"> } = {},
): Promise<SeedReport> {
  const actor = options.actor ?? { id: "seed" };
  const language = options.settings?.language ?? "en";
  const profilesCreated: string[] = [];
  for (const c of demoCustomers(options.settings?.country)) {
    const created = await stores.profiles.insertIfMissing(
      profileFromSummary({ ...c, account_created: `${c.account_created}T00:00:00.000Z`, as_of: now.toISOString() }),
    );
    if (created) profilesCreated.push(c.user_id);
  }
  let rulesetPublished: number | null = null;
  if ((await stores.rules.versions()).length === 0) {
    const draft = await stores.rules.saveDraft(RulesetContent.parse(demoRuleset(language)), actor, NOTE[language]);
    rulesetPublished = (await stores.rules.publish(draft.version, actor)).version;
  }
  return { profilesCreated, rulesetPublished };
}
