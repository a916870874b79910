import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDashboard, textOf, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { DeploymentCard } = await import("@/app/(dashboard)/settings/deployment-card");
const { UsersCard } = await import("@/app/(dashboard)/settings/users-card");
const { ApiKeysCard } = await import("@/app/(dashboard)/settings/api-keys-card");
const { createApiKey } = await import("@/actions/settings");

let d: Dashboard;
beforeAll(async () => {
  d = await openDashboard();
}, 60_000);
afterAll(() => d?.close());

describe("the settings page's cards", () => {
  it("show the deployment's country and the language its rules were seeded in, in the reader's language", async () => {
    const shown = textOf(await DeploymentCard());
    expect(shown).toContain("Cameroon (CM)");
    expect(shown).toContain("French");
  });

  it("list users and API keys to an admin only, even if a page renders them for someone else", async () => {
    const admin = textOf(await UsersCard({ me: d.users.admin }));
    expect(admin).toContain("analyst1");
    expect(textOf(await ApiKeysCard({ me: d.users.admin })).length).toBeGreaterThan(0);
    for (const role of ["viewer", "analyst"] as const) {
      expect(await UsersCard({ me: d.users[role] })).toBeNull();
      expect(await ApiKeysCard({ me: d.users[role] })).toBeNull();
    }
  });

  it("let an admin create a key for Prometheus with the metrics scope alone", async () => {
    await d.signInAs("admin");
    const form = new FormData();
    form.set("name", "prometheus");
    form.append("scopes", "metrics");
    const state = await createApiKey({ status: "idle" }, form);
    expect(state.status).toBe("ok");
    const key = (state as { data: { key: string } }).data.key;
    expect((await d.platform.apiKeys.verify(key))?.scopes).toEqual(["metrics"]);
    expect(textOf(await ApiKeysCard({ me: d.users.admin }))).toContain("metrics");
  });
});
