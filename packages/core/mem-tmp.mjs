import { DuckDBInstance } from "@duckdb/node-api";
import { mkdirSync, readFileSync } from "node:fs";
mkdirSync("/tmp/secr/raw", { recursive: true });
const inst = await DuckDBInstance.create(":memory:", { threads: "1", memory_limit: "128MB", temp_directory: "/tmp/secr/spill", max_temp_directory_size: "512MB" });
const c = await inst.connect();
await c.run("SET allowed_directories = ['/tmp/secr/raw/']");
await c.run("SET enable_external_access = false");
await c.run("SET lock_configuration = true");
const rss = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) / 1024);
for (const sql of process.argv.slice(2)) {
  const t = performance.now();
  try { const r = await c.runAndReadAll(sql); console.log(sql.slice(0,80), "=>", JSON.stringify(r.getRowsJson()).slice(0, 100), Math.round(performance.now()-t), "ms rss", rss()); }
  catch (e) { console.log(sql.slice(0,80), "=> ERROR", e.message.split("\n").slice(0,3).join(" | "), Math.round(performance.now()-t), "ms rss", rss()); }
}
