// `npm run audit`: the dependency audit a deployer runs before an upgrade or a release.
// 1. `pnpm audit --prod`: known advisories for what ships, from the registry's advisory service.
// 2. Every package version in pnpm-lock.yaml against the registry's own metadata: a version its
//    authors marked as deprecated is listed, and one deprecated for a security reason fails.
// The registry is the one npm is configured with (`npm config get registry`).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pnpm, root } from "./pnpm.mjs";

/** Words in a deprecation message that mean a security reason rather than a rename or an end of support. */
export const SECURITY_WORDS = /secur|vulnerab|cve-|ghsa-|advisory|malicious|compromised|exploit/i;

/** name@version of every package the lockfile resolves (its `packages:` section). */
export function lockedPackages(lockfile) {
  const out = [];
  let inPackages = false;
  for (const line of lockfile.split("\n")) {
    if (/^\S/.test(line)) inPackages = line.startsWith("packages:");
    const m = inPackages && /^ {2}'?((?:@[^@/\s]+\/)?[^@\s']+)@([^(':\s]+)/.exec(line);
    if (m) out.push({ name: m[1], version: m[2] });
  }
  return out;
}

async function deprecations(registry, packages, concurrency = 8) {
  const byName = new Map();
  for (const p of packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p.version]);
  const names = [...byName.keys()];
  const found = [];
  const failures = [];
  let next = 0;
  async function work() {
    while (next < names.length) {
      const name = names[next++];
      try {
        const res = await fetch(new URL(name.replace("/", "%2f"), registry), { headers: { accept: "application/vnd.npm.install-v1+json" } });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const meta = await res.json();
        for (const version of byName.get(name)) {
          const message = meta.versions?.[version]?.deprecated;
          if (message) found.push({ name, version, message, security: SECURITY_WORDS.test(message) });
        }
      } catch (e) {
        failures.push(`${name}: ${e.message}`);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, work));
  return { found, failures };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log("[audit] pnpm audit --prod");
  const auditStatus = pnpm(["audit", "--prod"]);
  if (auditStatus !== 0)
    console.log(`[audit] pnpm audit exited ${auditStatus}: read its output above (an advisory, or a registry without an advisory service)`);

  const registry = execFileSync("npm", ["config", "get", "registry"], { encoding: "utf8" }).trim().replace(/\/?$/, "/");
  const packages = lockedPackages(readFileSync(join(root, "pnpm-lock.yaml"), "utf8"));
  console.log(`[audit] ${packages.length} locked package versions against the registry's deprecation notices`);
  const { found, failures } = await deprecations(registry, packages);
  for (const d of found) console.log(`${d.security ? "SECURITY" : "deprecated"} ${d.name}@${d.version}: ${d.message}`);
  for (const f of failures) console.log(`[audit] could not read ${f}`);
  const security = found.filter((d) => d.security).length;
  console.log(`[audit] ${found.length} deprecated, ${security} of them for a security reason; ${failures.length} not read`);
  process.exit(security > 0 || failures.length > 0 || auditStatus !== 0 ? 1 : 0);
}
