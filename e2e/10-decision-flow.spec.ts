import { expect, test } from "@playwright/test";
import { realTransaction, storage } from "./support";

test.use({ storageState: storage("analyst") });

test("a suspicious transaction tried on the test page is blocked with its reasons, badged as a test, and reaches no live decision or review queue", async ({
  page,
}) => {
  await page.goto("/test");
  await page.getByRole("button", { name: "Suspecte" }).click();
  await page.getByRole("button", { name: "Évaluer" }).click();

  const result = page.getByRole("status").filter({ hasText: "Raisons" });
  await expect(result.getByText("Bloquée")).toBeVisible();
  await expect(result.getByText("Test", { exact: true })).toBeVisible();
  // The demo rules as seeded in the deployment's language (FRAUD_LANGUAGE, French by default).
  await expect(result.getByText("Montant très élevé")).toBeVisible();
  await expect(result.getByText("Changement d'appareil")).toBeVisible();
  await expect(result.getByText(/device_changed = true/)).toBeVisible();
  const link = result.getByRole("link", { name: /Voir le détail/ });
  const id = decodeURIComponent(((await link.getAttribute("href")) ?? "").replace("/transactions/", ""));
  expect(id).not.toBe("");

  await link.click();
  await expect(page.getByRole("heading", { name: `Transaction ${id}` })).toBeVisible();
  await expect(page.getByText("Test", { exact: true })).toBeVisible();
  await expect(page.getByText(/^Transaction de test, depuis la page de test/)).toBeVisible();
  await expect(page.getByRole("region", { name: "Revue" })).toHaveCount(0);

  await page.goto("/decisions?decision=BLOCKED");
  await expect(page.getByRole("heading", { name: "Décisions en direct" })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: id })).toHaveCount(0);
  await page.goto("/review");
  await expect(page.getByRole("row").filter({ hasText: id })).toHaveCount(0);
});

test("a suspicious transaction from the API is blocked, shows in live decisions and the review queue, and is confirmed as fraud", async ({ page, request }) => {
  const { id, decision } = await realTransaction(request, {
    user_id: "user_001",
    amount: 7500,
    merchant_id: "MERCH_SUSPICIOUS",
    merchant_category: "UNKNOWN",
    device_id: "device_unknown",
    location: "Unknown",
  });
  expect(decision).toBe("BLOCKED");

  await page.goto("/decisions?decision=BLOCKED");
  await expect(page.getByRole("row").filter({ hasText: id })).toContainText("Bloquée");

  await page.goto("/review");
  const row = page.getByRole("row").filter({ hasText: id });
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Confirmer la fraude" }).click();
  await expect(page.getByRole("row").filter({ hasText: id })).toHaveCount(0);

  await page.goto(`/transactions/${encodeURIComponent(id)}`);
  await expect(page.getByText("Test", { exact: true })).toHaveCount(0);
  const review = page.getByRole("region", { name: "Revue" });
  await expect(review.getByText("Clos")).toBeVisible();
  await expect(review.getByText("Fraude", { exact: true })).toBeVisible();
  await expect(review.getByText(/e2e-analyst · Libellé/)).toBeVisible();

  await page.goto("/review?status=closed");
  await expect(page.getByRole("row").filter({ hasText: id })).toContainText("Fraude");
  await expect(page.getByRole("group", { name: /Précision · Bloquée/ })).not.toContainText("aucun cas libellé");
});
