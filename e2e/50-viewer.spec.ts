import { expect, test, type Request } from "@playwright/test";
import { storage } from "./support";

test.use({ storageState: storage("viewer") });

test("a viewer sees no controls to change anything", async ({ page }) => {
  await page.goto("/rules");
  await expect(page.getByRole("heading", { name: "Règles" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Nouvelle règle" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Désactiver|Supprimer/ })).toHaveCount(0);

  await page.goto("/test");
  await expect(page.getByText("Votre rôle ne permet pas cette action.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Évaluer" })).toHaveCount(0);

  await page.goto("/review");
  await expect(page.getByRole("button", { name: /Confirmer la fraude|M'assigner/ })).toHaveCount(0);

  await page.goto("/lists");
  await expect(page.getByRole("form", { name: "Ajouter une entrée" })).toHaveCount(0);

  await page.goto("/profiles/user_003");
  await expect(page.getByRole("form", { name: "Modifier le profil" })).toHaveCount(0);

  await page.goto("/settings");
  await expect(page.getByRole("form", { name: "Créer l'utilisateur" })).toHaveCount(0);
});

test("a viewer calling a server action directly is refused and nothing changes", async ({ page, browser }) => {
  // An analyst's real request to the profile action, captured and not sent.
  const analyst = await browser.newContext({ storageState: storage("analyst") });
  const analystPage = await analyst.newPage();
  await analystPage.goto("/profiles/user_003");
  let captured: Request | undefined;
  await analystPage.route("**/profiles/user_003", async (route) => {
    if (route.request().method() === "POST" && route.request().headers()["next-action"]) {
      captured = route.request();
      await route.abort();
    } else await route.continue();
  });
  const form = analystPage.getByRole("form", { name: "Modifier le profil" });
  await form.getByLabel("Niveau de risque").selectOption("HIGH");
  await form.getByRole("button", { name: "Enregistrer" }).click();
  await expect.poll(() => captured !== undefined).toBe(true);
  await analyst.close();

  // The same call with the viewer's session.
  const headers = { ...captured!.headers() };
  delete headers.cookie;
  delete headers["content-length"];
  const response = await page.request.post("/profiles/user_003", { headers, data: captured!.postDataBuffer()! });
  expect(response.status()).toBeLessThan(500);
  expect(await response.text()).toContain("Votre rôle ne permet pas cette action.");

  await page.goto("/profiles/user_003");
  await expect(page.getByRole("main")).toContainText("Nouveau");
  await expect(page.getByRole("region", { name: "Historique des modifications" })).toContainText("Aucune modification manuelle.");
});
