import { expect, test } from "@playwright/test";
import { freshCustomer, realTransaction } from "./support";

// Runs as admin (the project's default storage state), who may draft rules like an analyst.

test("a backtest of a draft ruleset from the rules page shows what would have changed", async ({ page, request }) => {
  // At least one approved decision in the lake for the draft to change (a real one: tests never reach the lake).
  await realTransaction(request, {
    user_id: freshCustomer("backtest"),
    amount: 321,
    merchant_id: "MERCH_E2E_BACKTEST",
    device_id: "device_e2e",
    location: "Douala, CM",
  });

  const id = `E2E_BACKTEST_${Date.now().toString(36).toUpperCase()}`;
  await page.goto("/rules/new");
  await page.getByLabel("Identifiant").fill(id);
  await page.getByLabel("Nom", { exact: true }).fill("Blocks every payment");
  await page.getByLabel("Expression").fill("amount > 0.0");
  await expect(page.getByText("Expression valide")).toBeVisible();
  await page.getByLabel("Points").fill("100");
  await page.getByRole("button", { name: "Enregistrer le brouillon" }).click();
  await expect(page).toHaveURL(/\/rules$/);

  const draft = page.getByRole("region", { name: /Brouillon version \d+/ });
  await expect(draft).toContainText(id);
  await draft.getByRole("link", { name: "Tester sur l'historique" }).click();
  await expect(page).toHaveURL(/\/rules\/versions\/\d+#backtest$/);

  const panel = page.getByRole("region", { name: "Test sur l'historique" });
  const result = panel.getByRole("status");
  // The lake receives decisions a few seconds after they are made: run again until it has the approved one.
  await expect(async () => {
    await panel.getByRole("button", { name: "Lancer le test" }).click();
    await expect(result.getByText(/[1-9]\d* transactions rejouées en \d+ ms/)).toBeVisible({ timeout: 5_000 });
    await expect(result.getByRole("listitem").filter({ hasText: "Approuvée → Bloquée" })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 45_000 });

  const outcomes = result.getByRole("table", { name: "Test sur l'historique" });
  const blocked = outcomes.getByRole("row").filter({ hasText: "Bloquée" });
  // With a rule worth 100 points on every amount, the draft blocks every transaction replayed.
  const sentence = await result.getByText(/transactions rejouées/).innerText();
  const replayed = sentence.replace(/ transactions rejouées.*/, "").replace(/\D/g, "");
  expect(Number(replayed)).toBeGreaterThan(0);
  expect((await blocked.getByRole("cell").nth(2).innerText()).replace(/\D/g, "")).toBe(replayed);
  await expect(result.getByRole("listitem").filter({ hasText: "Approuvée → Bloquée" })).toBeVisible();
});
