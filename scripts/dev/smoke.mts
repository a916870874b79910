import { openLocalPlatform, LocalLakeWriter, OutboxWorker } from "/work/main/packages/core/src/adapters/local/index.ts";
import { seedDemo, labScenario, defaultSettings } from "/work/main/packages/core/src/index.ts";
import { rmSync } from "node:fs";
rmSync("/tmp/smoke-data", { recursive: true, force: true });
const p = openLocalPlatform({ dataDir: "/tmp/smoke-data", settings: defaultSettings });
console.log(await seedDemo(p, new Date()));
const counts: Record<string, Record<string, number>> = {};
for (const { label, transaction } of labScenario()) {
  const r = await p.scoring.submit(transaction);
  if (r.status === "invalid") {
    console.log("invalid", r.fields);
    continue;
  }
  const d = r.decision;
  (counts[label] ??= {})[d.decision] = ((counts[label] ??= {})[d.decision] ?? 0) + 1;
  if (label !== "normal") console.log(label, d.user_id, transaction.amount, d.decision, d.score, d.rules.map((x) => x.id).join(","), d.latency_ms);
}
console.log(counts);
const lake = await LocalLakeWriter.open(p.lakeDir);
const w = new OutboxWorker(p.db, lake, { log: console.log });
await w.drain();
console.log(p.db.prepare("select count(*) n from alerts").get(), p.db.prepare("select * from metrics_minute limit 3").all());
