import { DEMO_RULESET } from "./demo-ruleset.ts";
import { LAB_CUSTOMERS } from "./lab.ts";
import type { Actor, ProfileStore, RuleStore } from "./ports.ts";
import { profileFromSummary } from "./profile.ts";
import { RulesetContent } from "./ruleset.ts";

export interface SeedReport {
  profilesCreated: string[];
  rulesetPublished: number | null;
}

/** The lab's customers and the demo ruleset. Idempotent: existing data is left as it is. */
export async function seedDemo(stores: { profiles: ProfileStore; rules: RuleStore }, now: Date, actor: Actor = { id: "seed" }): Promise<SeedReport> {
  const profilesCreated: string[] = [];
  for (const c of LAB_CUSTOMERS) {
    const created = await stores.profiles.insertIfMissing(
      profileFromSummary({ ...c, account_created: `${c.account_created}T00:00:00.000Z`, as_of: now.toISOString() }),
    );
    if (created) profilesCreated.push(c.user_id);
  }
  let rulesetPublished: number | null = null;
  if ((await stores.rules.versions()).length === 0) {
    const draft = await stores.rules.saveDraft(RulesetContent.parse(DEMO_RULESET), actor, "demo ruleset: the lab's rules");
    rulesetPublished = (await stores.rules.publish(draft.version, actor)).version;
  }
  return { profilesCreated, rulesetPublished };
}
