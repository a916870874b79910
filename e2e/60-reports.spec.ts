import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { freshCustomer, realTransaction, storage, testTransaction } from "./support";

test("a built-in report runs with its parameters and shows its chart, its table and a CSV export", async ({ page, request }) => {
  const customer = freshCustomer("report");
  await realTransaction(request, { user_id: customer, amount: 987654, merchant_id: "MERCH_E2E_REPORT", device_id: "device_e2e", location: "Douala, CM" });
  // The same customer tried on the test page: reports never count it.
  await testTransaction(page, { Client: customer, Montant: "111", Marchand: "MERCH_E2E_REPORT", Appareil: "device_e2e", Lieu: "Douala, CM" });

  await page.goto("/reports");
  await page
    .getByRole("navigation", { name: "Choisir un rapport" })
    .getByRole("link", { name: /Clients au plus gros montant total/ })
    .click();
  const parameters = page.getByRole("form", { name: "Paramètres" });
  await parameters.getByLabel("Du (jour UTC)").fill("today-1");
  await parameters.getByLabel("Au (jour UTC)").fill("today");

  const table = page.getByRole("table", { name: "Clients au plus gros montant total" });
  // The lake receives decisions a few seconds after they are made: run again until it has this one.
  await expect(async () => {
    await parameters.getByRole("button", { name: "Exécuter" }).click();
    await expect(table.getByRole("row").filter({ hasText: customer })).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 45_000 });
  await expect(table.getByRole("columnheader")).toHaveText(["Client", "Transactions", "Montant total"]);
  await expect(table.getByRole("row").filter({ hasText: customer })).toContainText(/987\s?654/);

  const chart = page.getByRole("img", { name: "Graphique du rapport Clients au plus gros montant total" });
  await expect(chart).toBeVisible();
  await expect(chart.locator(".recharts-bar-rectangle").first()).toBeVisible();

  const download = page.waitForEvent("download");
  await parameters.getByRole("button", { name: "Exporter en CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("top_customers.csv");
  const lines = readFileSync(await file.path(), "utf8").split("\r\n");
  // Columns under their SQL names, for the tools that read the file; text cells quoted, numbers as numbers (packages/core/src/report/csv.ts).
  expect(lines[0]).toBe('"user_id","transactions","total_amount"');
  expect(lines.find((l) => l.startsWith(`"${customer}",`))).toBe(`"${customer}",1,987654`);
});

test.describe("an analyst's own report", () => {
  test.use({ storageState: storage("analyst") });

  test("is written, saved and run from the dashboard", async ({ page }) => {
    const suffix = Date.now().toString(36);
    await page.goto("/reports");
    await page.getByRole("link", { name: "Nouveau rapport" }).click();
    await expect(page).toHaveURL(/\/reports\/new$/);
    await page.getByLabel("Nom technique").fill(`e2e_by_outcome_${suffix}`);
    await page.getByLabel("Titre").fill(`E2E by outcome ${suffix}`);
    await page
      .getByLabel("SQL", { exact: true })
      .fill(
        "SELECT decision, count(*) AS transactions\nFROM decisions\nWHERE dt BETWEEN :from AND :to AND amount >= :min_amount\nGROUP BY decision\nORDER BY decision",
      );
    await page.getByRole("button", { name: "Ajouter un paramètre" }).click();
    const added = page.getByRole("group", { name: "Paramètre 3" });
    await added.getByLabel("Nom", { exact: true }).fill("min_amount");
    await added.getByLabel("Type", { exact: true }).selectOption("number");
    await added.getByLabel("Libellé", { exact: true }).fill("Montant minimum");
    await added.getByLabel("Valeur par défaut", { exact: true }).fill("0");
    await page.getByRole("button", { name: "Enregistrer le rapport" }).click();

    await expect(page).toHaveURL(new RegExp(`/reports\\?report=e2e_by_outcome_${suffix}$`));
    const parameters = page.getByRole("form", { name: "Paramètres" });
    await expect(parameters.getByLabel("Montant minimum")).toHaveValue("0");
    await parameters.getByLabel("Du", { exact: true }).fill("today-30");
    const table = page.getByRole("table", { name: `E2E by outcome ${suffix}` });
    await expect(async () => {
      await parameters.getByRole("button", { name: "Exécuter" }).click();
      await expect(table.getByRole("columnheader")).toHaveText(["decision", "transactions"], { timeout: 5_000 });
    }).toPass({ timeout: 45_000 });
    await expect(table.getByRole("row").filter({ hasText: "APPROVED" })).toBeVisible();
    await expect(page.getByRole("img", { name: `Graphique du rapport E2E by outcome ${suffix}` })).toBeVisible();

    // A minimum above every amount leaves no row: the parameter is bound, not ignored.
    await parameters.getByLabel("Montant minimum").fill("1000000000000");
    await parameters.getByRole("button", { name: "Exécuter" }).click();
    await expect(page.getByText("Aucune ligne.")).toBeVisible();
  });

  test("with SQL that is not one read-only SELECT shows the error on the SQL field and saves nothing", async ({ page }) => {
    const suffix = Date.now().toString(36);
    await page.goto("/reports/new");
    await page.getByLabel("Nom technique").fill(`e2e_delete_${suffix}`);
    await page.getByLabel("Titre").fill(`E2E delete ${suffix}`);
    const sql = page.getByLabel("SQL", { exact: true });
    await sql.fill("DELETE FROM decisions WHERE dt BETWEEN :from AND :to");
    await page.getByRole("button", { name: "Enregistrer le rapport" }).click();

    await expect(page.getByRole("alert").filter({ hasText: "Le SQL est refusé" })).toBeVisible();
    await expect(sql).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText(/^SQL refusé : /)).toBeVisible();
    // What the analyst typed is still there to correct.
    await expect(sql).toHaveValue(/^DELETE FROM decisions/);
    await expect(page).toHaveURL(/\/reports\/new$/);

    await page.goto("/reports");
    await expect(page.getByRole("navigation", { name: "Choisir un rapport" })).not.toContainText(`E2E delete ${suffix}`);
    await page.goto(`/reports?report=e2e_delete_${suffix}`);
    await expect(page.getByRole("region", { name: `E2E delete ${suffix}` })).toHaveCount(0);
  });
});

test.describe("a viewer", () => {
  test.use({ storageState: storage("viewer") });

  test("runs reports but cannot save one", async ({ page }) => {
    await page.goto("/reports");
    await expect(page.getByRole("form", { name: "Paramètres" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Nouveau rapport" })).toHaveCount(0);
    await page.goto("/reports/new");
    await expect(page.getByText("Votre rôle permet d'exécuter les rapports, pas d'en enregistrer.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Enregistrer le rapport" })).toHaveCount(0);
  });
});
