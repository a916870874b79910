import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { E2E } from "./playwright.config";
import { DASHBOARD_PAGES, testTransaction } from "./support";

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
}

test("the sign-in page has no serious accessibility violations", async ({ browser }) => {
  const context = await browser.newContext({ storageState: undefined });
  const page = await context.newPage();
  await page.goto("/login");
  expect(await seriousViolations(page)).toEqual([]);
  await context.close();
});

test("every dashboard page has no serious accessibility violations", async ({ page, request }) => {
  test.setTimeout(240_000);
  // A blocked decision, so that the detail page and the queues have content to check.
  const response = await request.post("/api/transactions", {
    headers: { authorization: `Bearer ${E2E.apiKey}` },
    data: { transaction_id: `e2e-a11y-${Date.now()}`, user_id: "user_001", amount: 9000, merchant_id: "MERCH_E2E", device_id: "device_a11y" },
  });
  expect(response.status()).toBe(200);
  const { transaction_id } = (await response.json()) as { transaction_id: string };
  // And a test transaction, whose page carries the test badge and notice.
  const tested = await testTransaction(page, { Client: "user_001", Montant: "9000", Marchand: "MERCH_E2E" });

  for (const path of [...DASHBOARD_PAGES, `/transactions/${transaction_id}`, `/transactions/${encodeURIComponent(tested.id)}`]) {
    await test.step(path, async () => {
      await page.goto(path);
      await expect(page.getByRole("main")).toBeVisible();
      await expect(page.locator("[aria-busy=true]")).toHaveCount(0);
      expect.soft(await seriousViolations(page), path).toEqual([]);
    });
  }
});
