// Starts the app exactly as `npm start` does, on a data directory emptied first.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dataDir = process.env.FRAUD_DATA_DIR;
if (!dataDir || !dataDir.startsWith(".data-")) throw new Error("FRAUD_DATA_DIR must be a throw-away .data-* directory");
rmSync(join(root, dataDir), { recursive: true, force: true });
const app = spawn(process.execPath, [join(root, "scripts", "start.mjs")], { cwd: root, stdio: "inherit" });
for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => app.kill(s));
app.on("exit", (code) => process.exit(code ?? 0));
