import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { E2E } from "./playwright.config";

export const USERS = {
  admin: { username: "admin", password: E2E.adminPassword },
  analyst: { username: "e2e-analyst", password: "analyst-password-e2e" },
  viewer: { username: "e2e-viewer", password: "viewer-password-e2e" },
} as const;

/** Every dashboard page an admin reaches from the menu, by path (detail pages are added by each spec). */
export const DASHBOARD_PAGES = [
  "/",
  "/decisions",
  "/review",
  "/alerts",
  "/test",
  "/rules",
  "/rules/new",
  "/rules/versions",
  "/profiles",
  "/profiles/user_001",
  "/lists",
  "/reports",
  "/reports/new",
  "/audit",
  "/settings",
  "/password",
];

export const storage = (who: keyof typeof USERS) => `${E2E.authDir}/${who}.json`;

export async function signIn(page: Page, who: keyof typeof USERS): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Nom d'utilisateur").fill(USERS[who].username);
  await page.getByLabel("Mot de passe").fill(USERS[who].password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("heading", { name: "Vue d'ensemble" })).toBeVisible();
}

/** A customer id no earlier test used: a first transaction scores the same every run. */
export function freshCustomer(tag: string): string {
  return `e2e-${tag}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Sends a real transaction through the API, as a payment system does, and returns its decision. */
export async function realTransaction(request: APIRequestContext, fields: Record<string, string | number>): Promise<{ id: string; decision: string }> {
  const response = await request.post("/api/transactions", { headers: { authorization: `Bearer ${E2E.apiKey}` }, data: fields });
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { transaction_id: string; decision: string };
  return { id: body.transaction_id, decision: body.decision };
}

/** Tries a transaction on the dashboard's test form (a test: it counts nowhere) and returns its id from the result. */
export async function testTransaction(page: Page, fields: Record<string, string>): Promise<{ id: string }> {
  await page.goto("/test");
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole("button", { name: "Évaluer" }).click();
  const detail = page.getByRole("status").getByRole("link", { name: /Voir le détail/ });
  await expect(detail).toBeVisible();
  const href = (await detail.getAttribute("href")) ?? "";
  return { id: decodeURIComponent(href.replace("/transactions/", "")) };
}
