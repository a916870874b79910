// `npm start`: setup, seed the demo data, then run the server (API + dashboard) and the outbox worker.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./pnpm.mjs";
import { setup } from "./setup.mjs";

const tsx = ["--import", "tsx"];
const entry = (p) => join(root, "packages", p);

/** One JSON event a line on the standard error, as the processes it starts write theirs; plain text on a terminal. */
function log(level, message, fields = {}) {
  if (process.stderr.isTTY) console.error(`[start] ${message}`);
  else
    process.stderr.write(
      `${JSON.stringify({ level: level.toUpperCase(), timestamp: new Date().toISOString(), service: "start", pid: process.pid, message, ...fields })}\n`,
    );
}

try {
  setup();
} catch (e) {
  log("fatal", e.message);
  process.exit(1);
}

const seeded = spawnSync(process.execPath, [...tsx, entry("cli/src/index.ts"), "seed"], { stdio: "inherit", cwd: root });
if (seeded.status !== 0) process.exit(seeded.status ?? 1);

let stopping = false;
let worker;
let workerRestarts = 0;

function startWorker() {
  worker = spawn(process.execPath, [...tsx, entry("server/src/worker.ts")], { stdio: "inherit", cwd: root });
  worker.on("exit", (code, signal) => {
    if (stopping) return;
    workerRestarts++;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(workerRestarts, 6));
    log("error", `worker exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`, { exit: signal ?? code, restart_in_ms: delay });
    setTimeout(startWorker, delay);
  });
}

// The server's own Node flags (a small young generation: shorter collection pauses; docs/decisions/012-young-generation-of-4-mb.md).
const serverFlags = JSON.parse(readFileSync(entry("server/src/server-node-flags.json"), "utf8"));
const server = spawn(process.execPath, [...serverFlags, ...tsx, entry("server/src/server.ts")], { stdio: "inherit", cwd: root });
startWorker();

server.on("exit", (code, signal) => {
  stopping = true;
  worker?.kill("SIGTERM");
  if (!signal && code !== 0) log("fatal", `server exited with code ${code}`, { exit: code });
  process.exitCode = code ?? 0;
});

for (const s of ["SIGINT", "SIGTERM"]) {
  process.on(s, () => {
    stopping = true;
    server.kill(s);
    worker?.kill(s);
  });
}
