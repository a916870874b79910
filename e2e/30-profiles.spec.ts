import { expect, test } from "@playwright/test";
import { storage } from "./support";

test.use({ storageState: storage("analyst") });

test("an analyst edits a profile, sees field errors, and the change in the history", async ({ page }) => {
  await page.goto("/profiles?q=user_002");
  await page.getByRole("link", { name: "user_002" }).click();
  const form = page.getByRole("form", { name: "Modifier le profil" });

  await form.getByLabel("E-mail").fill("not-an-email");
  await form.getByRole("button", { name: "Enregistrer" }).click();
  await expect(form.getByLabel("E-mail")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText("Corrigez les champs signalés.")).toBeVisible();

  await form.getByLabel("E-mail").fill("jane.smith@example.com");
  await form.getByLabel("Niveau de risque").selectOption("MEDIUM");
  await form.getByLabel("Dernier lieu").fill("Douala, CM");
  await form.getByRole("button", { name: "Enregistrer" }).click();
  await expect(form.getByText("Profil enregistré.")).toBeVisible();

  const history = page.getByRole("region", { name: "Historique des modifications" });
  await expect(history).toContainText("e2e-analyst");
  await expect(history).toContainText("Douala, CM");
  await expect(page.getByRole("main")).toContainText("Moyen");
});
