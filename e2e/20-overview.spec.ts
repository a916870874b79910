import { expect, test } from "@playwright/test";
import { E2E } from "./playwright.config";
import { freshCustomer } from "./support";

test("the overview updates by itself when transactions arrive", async ({ page, request }) => {
  await page.goto("/");
  const decisions = page.getByRole("group", { name: "Décisions (60 min)" });
  await expect(decisions).toBeVisible();
  const count = async () => Number((await decisions.innerText()).replace(/\D/g, ""));
  const before = await count();

  for (let i = 0; i < 3; i++) {
    const response = await request.post("/api/transactions", {
      headers: { authorization: `Bearer ${E2E.apiKey}` },
      data: { user_id: freshCustomer("overview"), amount: 2500 + i, merchant_id: "MERCH_E2E" },
    });
    expect(response.status()).toBe(200);
  }

  await expect.poll(count, { timeout: 20_000 }).toBeGreaterThanOrEqual(before + 3);
});
