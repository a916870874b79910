import { expect, test, type Request } from "@playwright/test";
import { E2E } from "./playwright.config";
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

test("a viewer reads no customer's phone number on any page, in any link or in the live updates", async ({ page, browser, request }) => {
  // A mobile-money customer known by their phone number, blocked by a list entry an admin adds.
  const digits = `6${String(Date.now()).slice(-8)}`;
  const phone = `+237${digits}`;
  const counterparty = `+2376${digits.slice(1).split("").reverse().join("")}`;
  const masked = `+${"*".repeat(phone.length - 3)}${phone.slice(-2)}`;
  // What no masked form shows: all but the last two digits of either number.
  const leaks = (text: string) => [phone, counterparty].some((n) => text.includes(n.slice(4, 12)));
  const admin = await browser.newContext({ storageState: storage("admin") });
  const adminPage = await admin.newPage();
  await adminPage.goto("/lists");
  const add = adminPage.getByRole("form", { name: "Ajouter une entrée" });
  await add.getByLabel("Valeur").fill(phone);
  await add.getByLabel("Motif").fill(`mule account, paid by ${phone}`);
  await add.getByRole("button", { name: "Ajouter" }).click();
  await expect(adminPage.getByText("Entrée ajoutée.")).toBeVisible();
  await admin.close();
  const response = await request.post("/api/transactions", {
    headers: { authorization: `Bearer ${E2E.apiKey}` },
    data: { user_id: phone, amount: 7_500, counterparty_id: counterparty, type: "TRANSFER" },
  });
  expect(response.status()).toBe(200);
  const { transaction_id: id, decision } = (await response.json()) as { transaction_id: string; decision: string };
  expect(decision).toBe("BLOCKED");

  // The whole answer of each page (the HTML and the data it hands to the browser), then the page as shown.
  const nothingUnmasked = async (path: string) => {
    const html = await (await page.request.get(path)).text();
    expect(leaks(html), path).toBe(false);
    await page.goto(path);
    await expect(page.getByRole("main"), path).toContainText(masked);
    expect(leaks(await page.content()), path).toBe(false);
  };
  await expect.poll(async () => (await (await page.request.get("/alerts?show=all")).text()).includes(masked), { timeout: 20_000 }).toBe(true);
  for (const path of ["/decisions", `/transactions/${encodeURIComponent(id)}`, "/profiles", "/alerts?show=all", "/review?status=all", "/lists", "/audit"])
    await nothingUnmasked(path);
  const live = await (await page.request.get("/live/decisions")).text();
  expect(live).toContain(masked);
  expect(leaks(live)).toBe(false);

  // The customer's link opens their profile; neither the link nor the page's URL holds the number.
  await page.goto("/decisions");
  const link = page.getByRole("row").filter({ hasText: id }).getByRole("link", { name: masked });
  expect(leaks((await link.getAttribute("href")) ?? "")).toBe(false);
  await link.click();
  await expect(page.getByRole("heading", { name: masked })).toBeVisible();
  expect(leaks(page.url())).toBe(false);
  expect(leaks(await page.title())).toBe(false);
  await nothingUnmasked(new URL(page.url()).pathname);
});
