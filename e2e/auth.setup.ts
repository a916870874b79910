import { expect, test as setup } from "@playwright/test";
import { signIn, storage, USERS } from "./support";

setup("admin signs in and adds an analyst and a viewer", async ({ page }) => {
  await signIn(page, "admin");
  await page.context().storageState({ path: storage("admin") });

  await page.goto("/settings");
  for (const role of ["analyst", "viewer"] as const) {
    const form = page.getByRole("form", { name: "Créer l'utilisateur" });
    await form.getByLabel("Nom d'utilisateur").fill(USERS[role].username);
    await form.getByLabel("Nom affiché").fill(`E2E ${role}`);
    await form.getByLabel("Rôle").selectOption(role);
    await form.getByLabel("Mot de passe initial").fill(USERS[role].password);
    await form.getByRole("button", { name: "Créer l'utilisateur" }).click();
    await expect(form.getByText(`Utilisateur ${USERS[role].username} créé.`)).toBeVisible();
  }
});

for (const who of ["analyst", "viewer"] as const) {
  setup(`${who} signs in`, async ({ browser }) => {
    const context = await browser.newContext({ storageState: undefined });
    const page = await context.newPage();
    await signIn(page, who);
    await context.storageState({ path: storage(who) });
    await context.close();
  });
}
