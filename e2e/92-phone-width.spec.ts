import { expect, test } from "@playwright/test";
import { DASHBOARD_PAGES, realTransaction, testTransaction } from "./support";

// A phone held upright: the narrowest screen the dashboard is laid out for.
const PHONE = { width: 390, height: 844 };

test("every dashboard page fits a phone's width without scrolling sideways", async ({ page, request }) => {
  test.setTimeout(240_000);
  // A blocked decision and a test, so that the detail pages and the queues have content to lay out.
  const blocked = await realTransaction(request, {
    transaction_id: `e2e-phone-${Date.now()}`,
    user_id: "user_001",
    amount: 9000,
    merchant_id: "MERCH_E2E",
    device_id: "device_phone",
  });
  const tested = await testTransaction(page, { Client: "user_001", Montant: "9000", Marchand: "MERCH_E2E" });
  await page.setViewportSize(PHONE);

  const pages = [
    ...DASHBOARD_PAGES,
    "/rules/HIGH_AMOUNT_VS_HISTORY",
    "/rules/versions/1",
    `/transactions/${blocked.id}`,
    `/transactions/${encodeURIComponent(tested.id)}`,
  ];
  for (const path of pages) {
    await test.step(path, async () => {
      await page.goto(path);
      await expect(page.getByRole("main")).toBeVisible();
      await expect(page.locator("[aria-busy=true]")).toHaveCount(0);
      const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
      expect.soft(width.scroll, `${path} is ${width.scroll} px wide on a ${width.viewport} px screen`).toBeLessThanOrEqual(width.viewport);
    });
  }

  await test.step("a report's chart and result table", async () => {
    await page.goto("/reports?report=decisions_per_day");
    await page.getByRole("button", { name: "Exécuter" }).click();
    await expect(page.getByRole("img", { name: /^Graphique du rapport/ })).toBeVisible();
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    expect.soft(width.scroll, `a report's result is ${width.scroll} px wide on a ${width.viewport} px screen`).toBeLessThanOrEqual(width.viewport);
  });
});
