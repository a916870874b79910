import { expect, test } from "@playwright/test";

/** A user of this spec only, so that changing passwords leaves the other specs' users alone. */
const CARLA = { username: `e2e-carla-${Date.now().toString(36)}`, password: "carla-password-e2e" };

async function signInAs(page: import("@playwright/test").Page, username: string, password: string, path = "/login") {
  await page.goto(path);
  await page.getByLabel("Nom d'utilisateur").fill(username);
  await page.getByLabel("Mot de passe", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
}

test("an admin resets a password; the user must choose their own before anything else, then changes it again in the settings", async ({ page, browser }) => {
  await page.goto("/settings");
  const create = page.getByRole("form", { name: "Créer l'utilisateur" });
  await create.getByLabel("Nom d'utilisateur").fill(CARLA.username);
  await create.getByLabel("Nom affiché").fill("Carla");
  await create.getByLabel("Rôle").selectOption("analyst");
  await create.getByLabel("Mot de passe initial").fill(CARLA.password);
  await create.getByRole("button", { name: "Créer l'utilisateur" }).click();
  await expect(create.getByText(`Utilisateur ${CARLA.username} créé.`)).toBeVisible();

  // Carla is signed in elsewhere when the admin resets her password.
  const carla = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  let carlaPage = await carla.newPage();
  await signInAs(carlaPage, CARLA.username, CARLA.password);
  await expect(carlaPage.getByRole("heading", { name: "Vue d'ensemble" })).toBeVisible();

  await page.reload();
  await page.getByRole("button", { name: `Réinitialiser le mot de passe de ${CARLA.username}` }).click();
  const shown = page.getByRole("status").filter({ hasText: `Mot de passe temporaire de ${CARLA.username}` });
  await expect(shown).toBeVisible();
  const temporary = (await shown.locator("code").textContent())?.trim() ?? "";
  expect(temporary).toMatch(/^[A-Za-z0-9_-]{16}$/);
  await page.reload();
  await expect(page.getByRole("row", { name: new RegExp(CARLA.username) }).getByText("Mot de passe à changer")).toBeVisible();

  // Her open session ended. (The overview she left open notices too, and navigates by itself: a new tab.)
  await carlaPage.close();
  carlaPage = await carla.newPage();
  await carlaPage.goto("/decisions");
  await expect(carlaPage).toHaveURL(/\/login/);

  // With the temporary password she lands on the password page, and every other page sends her back.
  await signInAs(carlaPage, CARLA.username, temporary, "/login?next=%2Fdecisions");
  await expect(carlaPage.getByRole("heading", { name: "Choisissez un nouveau mot de passe" })).toBeVisible();
  await carlaPage.goto("/rules");
  await expect(carlaPage).toHaveURL(/\/password$/);
  expect((await carlaPage.request.get("/live/throughput")).status()).toBe(401);

  await carlaPage.goto("/password?next=%2Fdecisions");
  await carlaPage.getByLabel("Mot de passe temporaire").fill(temporary);
  await carlaPage.getByLabel("Nouveau mot de passe", { exact: true }).fill("carla-own-password");
  await carlaPage.getByLabel("Nouveau mot de passe, à nouveau").fill("carla-own-passwrd");
  await carlaPage.getByRole("button", { name: "Changer le mot de passe" }).click();
  await expect(carlaPage.getByText("les deux nouveaux mots de passe diffèrent")).toBeVisible();
  // Password fields are emptied after each answer: all three again.
  await carlaPage.getByLabel("Mot de passe temporaire").fill(temporary);
  await carlaPage.getByLabel("Nouveau mot de passe", { exact: true }).fill("carla-own-password");
  await carlaPage.getByLabel("Nouveau mot de passe, à nouveau").fill("carla-own-password");
  await carlaPage.getByRole("button", { name: "Changer le mot de passe" }).click();
  await expect(carlaPage.getByRole("heading", { name: "Décisions en direct" })).toBeVisible();
  await expect(carlaPage).toHaveURL(/\/decisions$/);

  // Later she changes it herself from the settings, with the current one.
  await carlaPage.goto("/settings");
  const own = carlaPage.getByRole("form", { name: "Changer votre mot de passe" });
  await own.getByLabel("Mot de passe actuel").fill("not-her-password");
  await own.getByLabel("Nouveau mot de passe", { exact: true }).fill("carla-third-password");
  await own.getByLabel("Nouveau mot de passe, à nouveau").fill("carla-third-password");
  await own.getByRole("button", { name: "Changer le mot de passe" }).click();
  await expect(own.getByText("ce n'est pas votre mot de passe actuel", { exact: true })).toBeVisible();
  await own.getByLabel("Mot de passe actuel").fill("carla-own-password");
  await own.getByLabel("Nouveau mot de passe", { exact: true }).fill("carla-third-password");
  await own.getByLabel("Nouveau mot de passe, à nouveau").fill("carla-third-password");
  await own.getByRole("button", { name: "Changer le mot de passe" }).click();
  await expect(own.getByText("Mot de passe changé. Vos autres sessions ont été fermées.")).toBeVisible();
  // This browser stays signed in.
  await carlaPage.goto("/decisions");
  await expect(carlaPage.getByRole("heading", { name: "Décisions en direct" })).toBeVisible();
  await carla.close();

  const again = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const againPage = await again.newPage();
  await signInAs(againPage, CARLA.username, "carla-third-password");
  await expect(againPage.getByRole("heading", { name: "Vue d'ensemble" })).toBeVisible();
  await again.close();

  await page.goto(`/audit?entity=user`);
  await expect(page.getByRole("main")).toContainText("user.password_reset");
});
