import { expect, test, type Page } from "@playwright/test";
import { freshCustomer, testTransaction } from "./support";

// Runs as admin (the project's default storage state): drafting needs an analyst, publishing an admin.

async function versionCount(page: Page): Promise<number> {
  await page.goto("/rules/versions");
  return page.getByRole("table", { name: "Historique des versions" }).locator("tbody tr").count();
}

async function liveVersion(page: Page): Promise<number> {
  await page.goto("/rules");
  const text = await page.getByText(/Version en production : \d+/).innerText();
  return Number(/(\d+)/.exec(text)![1]);
}

const oddAmount = { Montant: "1234", Marchand: "MERCH_E2E", Appareil: "device_e2e", Lieu: "Douala, CM" };

test("an invalid rule expression shows the error with its position and saves nothing", async ({ page }) => {
  const before = await versionCount(page);
  await page.goto("/rules/new");
  await page.getByLabel("Identifiant").fill("E2E_BROKEN");
  await page.getByLabel("Nom", { exact: true }).fill("Broken rule");
  const expression = page.getByLabel("Expression");
  await expression.fill("amount > ");
  await expect(page.getByText(/Erreur au caractère \d+/)).toBeVisible();
  await expression.fill("amount > 5000.0 && unknown_feature");
  await expect(page.getByText(/Erreur au caractère 20/)).toBeVisible();

  await page.getByRole("button", { name: "Enregistrer le brouillon" }).click();
  await expect(page.getByText("Corrigez les champs signalés.")).toBeVisible();
  await expect(page).toHaveURL(/\/rules\/new$/);
  expect(await versionCount(page)).toBe(before);
});

test("publishing a rule change changes the next decision, and rolling back restores it", async ({ page }) => {
  const first = await testTransaction(page, { Client: freshCustomer("before"), ...oddAmount });
  await expect(page.getByRole("status").getByText("Approuvée")).toBeVisible();
  expect(first.id).not.toBe("");
  const previous = await liveVersion(page);

  await page.goto("/rules/new");
  await page.getByLabel("Identifiant").fill("E2E_ODD_AMOUNT");
  await page.getByLabel("Nom", { exact: true }).fill("Odd test amount");
  await page.getByLabel("Expression").fill("amount == 1234.0");
  await expect(page.getByText("Expression valide")).toBeVisible();
  await page.getByLabel("Points").fill("100");
  await page.getByRole("button", { name: "Enregistrer le brouillon" }).click();

  await expect(page).toHaveURL(/\/rules$/);
  const draft = page.getByRole("region", { name: /Brouillon version \d+/ });
  await expect(draft).toContainText("E2E_ODD_AMOUNT");
  await draft.getByRole("button", { name: /Publier la version/ }).click();
  await expect(page.getByText(`Version en production : ${previous + 1}`)).toBeVisible();

  await testTransaction(page, { Client: freshCustomer("after"), ...oddAmount });
  const result = page.getByRole("status").filter({ hasText: "Raisons" });
  await expect(result.getByText("Bloquée")).toBeVisible();
  await expect(result.getByText("Odd test amount")).toBeVisible();

  await page.goto("/rules/versions");
  await page.getByRole("button", { name: `Revenir à cette version v${previous}` }).click();
  await expect(page.getByText(`Version en production : ${previous + 2}`)).toBeVisible();

  await testTransaction(page, { Client: freshCustomer("rolled-back"), ...oddAmount });
  await expect(page.getByRole("status").getByText("Approuvée")).toBeVisible();
});
