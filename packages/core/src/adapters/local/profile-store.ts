import { Audit } from "../../audit/audit.ts";
import { VisibleError } from "../../errors/errors.ts";
import type { ProfileStore } from "../../platform/ports.ts";
import { Profile, ProfileEdit } from "../../profile/profile.ts";
import { audit, guardWrite, type Db } from "./sqlite.ts";
import { type Actor } from "../../user/users.ts";

export class LocalProfileStore implements ProfileStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async get(userId: string): Promise<Profile | undefined> {
    const row = this.db.prepare<[string], { data: string }>("SELECT data FROM profiles WHERE user_id = ?").get(userId);
    return row ? Profile.parse(JSON.parse(row.data)) : undefined;
  }

  async insertIfMissing(profile: Profile): Promise<boolean> {
    const p = Profile.parse(profile);
    return guardWrite(
      () =>
        this.db
          .prepare("INSERT INTO profiles (user_id, email, risk_level, updated_at, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT(user_id) DO NOTHING")
          .run(p.user_id, p.email, p.risk_level, p.updated_at, JSON.stringify(p)).changes === 1,
    );
  }

  async edit(userId: string, input: ProfileEdit, actor: Actor): Promise<Profile> {
    const edit = ProfileEdit.parse(input);
    return guardWrite(() =>
      this.db
        .transaction(() => {
          const row = this.db.prepare<[string], { data: string }>("SELECT data FROM profiles WHERE user_id = ?").get(userId);
          if (!row) throw new VisibleError("PROFILE_NOT_FOUND", `no profile for ${userId}`);
          const before = Profile.parse(JSON.parse(row.data));
          const at = this.clock().toISOString();
          const after: Profile = { ...before, ...edit, updated_at: at, version: before.version + 1 };
          if (edit.last_device_id && !after.known_devices.includes(edit.last_device_id)) {
            after.known_devices = [...after.known_devices, edit.last_device_id];
          }
          this.db
            .prepare("UPDATE profiles SET email = ?, risk_level = ?, updated_at = ?, data = ? WHERE user_id = ?")
            .run(after.email, after.risk_level, at, JSON.stringify(after), userId);
          const changed = Object.keys(edit) as Array<keyof ProfileEdit>;
          audit(this.db, Audit.profileEdited({ by: actor, at }, before, after, changed));
          return after;
        })
        .immediate(),
    );
  }

  async search(text: string, limit: number): Promise<Profile[]> {
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.db
      .prepare<[string, string, number], { data: string }>(
        "SELECT data FROM profiles WHERE user_id LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' ORDER BY updated_at DESC LIMIT ?",
      )
      .all(like, like, Math.min(Math.max(limit, 1), 500))
      .map((r) => Profile.parse(JSON.parse(r.data)));
  }
}
