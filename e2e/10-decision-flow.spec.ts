import { expect, test } from "@playwright/test";
import { storage } from "./support";

test.use({ storageState: storage("analyst") });

test("a suspicious transaction is blocked with its reasons, shows in live decisions and the review queue, and is confirmed as fraud", async ({ page }) => {
  await page.goto("/test");
  await page.getByRole("button", { name: "Suspecte" }).click();
  await page.getByRole("button", { name: "Évaluer" }).click();

  const result = page.getByRole("status").filter({ hasText: "Raisons" });
  await expect(result.getByText("Bloquée")).toBeVisible();
  await expect(result.getByText("Very high amount")).toBeVisible();
  await expect(result.getByText("Device change")).toBeVisible();
  await expect(result.getByText(/device_changed = true/)).toBeVisible();
  const href = (await result.getByRole("link", { name: /Voir le détail/ }).getAttribute("href")) ?? "";
  const id = decodeURIComponent(href.replace("/transactions/", ""));
  expect(id).not.toBe("");

  await page.goto("/decisions?decision=BLOCKED");
  await expect(page.getByRole("row").filter({ hasText: id })).toContainText("Bloquée");

  await page.goto("/review");
  const row = page.getByRole("row").filter({ hasText: id });
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Confirmer la fraude" }).click();
  await expect(page.getByRole("row").filter({ hasText: id })).toHaveCount(0);

  await page.goto(`/transactions/${encodeURIComponent(id)}`);
  const review = page.getByRole("region", { name: "Revue" });
  await expect(review.getByText("Clos")).toBeVisible();
  await expect(review.getByText("Fraude", { exact: true })).toBeVisible();
  await expect(review.getByText(/e2e-analyst · Libellé/)).toBeVisible();

  await page.goto("/review?status=closed");
  await expect(page.getByRole("row").filter({ hasText: id })).toContainText("Fraude");
  await expect(page.getByRole("group", { name: /Précision · Bloquée/ })).not.toContainText("aucun cas libellé");
});
