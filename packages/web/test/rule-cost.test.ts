import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDashboard, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { checkRuleExpression, saveRule } = await import("@/actions/rules");

let d: Dashboard;
beforeAll(async () => {
  d = await openDashboard();
  await d.signInAs("analyst");
});
afterAll(() => d?.close());

const numbers = `[${Array.from({ length: 100 }, (_, i) => i).join(", ")}]`;
const inner = `${numbers}.exists(b, ${numbers}.exists(c, a + b + c < 0))`;
const NESTED = `amount > 1.0 && ${numbers}.exists(a, ${inner})`;

function formOf(values: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) f.append(k, v);
  return f;
}

describe("the rule editor and a rule too costly", () => {
  it("says so as the analyst types, and marks the loop that multiplies", async () => {
    const status = await checkRuleExpression(NESTED);
    expect(status).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^too costly: up to [\d,]+ steps in the worst case, over the limit of 100,000$/),
    });
    if (status.ok) return;
    expect(NESTED.slice(status.start, status.end)).toBe(inner);
  });

  it("refuses to save it, on the expression field, and stores nothing", async () => {
    const before = d.snapshot();
    const state = await saveRule(
      { status: "idle" },
      formOf({ id: "NESTED_LOOPS", name: "Nested loops", description: "", expression: NESTED, score: "10", enabled: "on" }),
    );
    expect(state.status).toBe("error");
    expect(state.fields?.expression).toEqual([
      expect.stringMatching(new RegExp(`^too costly: .* over the limit of 100,000 \\(character ${NESTED.indexOf(inner) + 1}\\)$`)),
    ]);
    expect(d.snapshot()).toBe(before);
  });
});
