import { expect, test, type Locator } from "@playwright/test";

// Runs as admin (the project's default storage state), who may add users.

async function fillNewUser(form: Locator, labels: { username: string; displayName: string; role: string; password: string }) {
  await form.getByLabel(labels.username).fill("ab");
  await form.getByLabel(labels.displayName).fill("E2E too short");
  await form.getByLabel(labels.role).selectOption("viewer");
  await form.getByLabel(labels.password).fill("short");
}

test("field errors from core's schemas are in French by default and in English once chosen", async ({ page }) => {
  await page.goto("/settings");
  const french = page.getByRole("form", { name: "Créer l'utilisateur" });
  await fillNewUser(french, { username: "Nom d'utilisateur", displayName: "Nom affiché", role: "Rôle", password: "Mot de passe initial" });
  await french.getByRole("button", { name: "Créer l'utilisateur" }).click();
  await expect(french.getByText("Corrigez les champs signalés.")).toBeVisible();
  await expect(french.getByText("doit contenir au moins 3 caractères")).toBeVisible();
  await expect(french.getByText("doit contenir au moins 10 caractères")).toBeVisible();
  await expect(french.getByText(/must be|at least|characters/)).toHaveCount(0);

  await page.getByRole("group", { name: "Langue" }).first().getByRole("button", { name: "en", exact: true }).click();
  const english = page.getByRole("form", { name: "Create user" });
  await expect(english).toBeVisible();
  await fillNewUser(english, { username: "User name", displayName: "Display name", role: "Role", password: "Initial password" });
  await english.getByRole("button", { name: "Create user" }).click();
  await expect(english.getByText("must be at least 3 characters")).toBeVisible();
  await expect(english.getByText("must be at least 10 characters")).toBeVisible();

  // Refused twice: nobody was added.
  await expect(page.getByRole("cell", { name: "E2E too short" })).toHaveCount(0);
});
