import "server-only";
import { Platform } from "@fraud/core";

/** What the dashboard's server code works with, on either deployment. */
export interface DashboardRuntime {
  env: Platform.Env;
  platform: Platform.Platform;
  /** The dashboard's own secret: locally generated into the secrets file, on AWS the stage's FRAUD_SESSION_SECRET. */
  secrets: { session_secret: string };
}

type Holder = { __fraudRuntime?: DashboardRuntime; __fraudRuntimeOpening?: Promise<DashboardRuntime> };

async function openDashboardRuntime(e: Platform.Env): Promise<DashboardRuntime> {
  if (e.FRAUD_DEPLOYMENT === "aws") {
    // The admin password is the stage's SST secret (`npx sst secrets set FRAUD_ADMIN_PASSWORD`), bound by stacks/Web.ts.
    const [{ openAwsDashboard }, { Config }] = await Promise.all([import("@fraud/core/aws"), import("sst/node/config")]);
    const secret: unknown = Reflect.get(Config, "FRAUD_ADMIN_PASSWORD");
    // Bound by stacks/Web.ts; the stage does not deploy without it (docs/deploy-aws.md).
    const sessionSecret: unknown = Reflect.get(Config, "FRAUD_SESSION_SECRET");
    if (typeof sessionSecret !== "string" || sessionSecret.length < 16) throw new Error("the FRAUD_SESSION_SECRET secret must be set, at least 16 characters");
    return {
      env: e,
      platform: await openAwsDashboard(e, { adminPassword: typeof secret === "string" ? secret : undefined }),
      secrets: { session_secret: sessionSecret },
    };
  }
  const { openLocalRuntime, WAL_RESTART_PAGES } = await import("@fraud/core/local");
  // Checkpoints are the worker's job, as for the server (docs/decisions/017-wal-restart-threshold-800-mb.md).
  return openLocalRuntime(e, { walAutocheckpointPages: WAL_RESTART_PAGES });
}

/**
 * The process-wide platform, chosen by FRAUD_DEPLOYMENT and opened by the first request that needs
 * it, through core's composition root for the deployment. Kept on globalThis because Next may load
 * this module more than once in one process (one instance per bundle layer), and one process opens
 * one database connection.
 */
export async function runtime(): Promise<DashboardRuntime> {
  const g = globalThis as Holder;
  if (g.__fraudRuntime) return g.__fraudRuntime;
  // A failed start (a store unreachable, no admin password yet) is tried again by the next request.
  g.__fraudRuntimeOpening ??= openDashboardRuntime(Platform.env()).then(
    (rt) => (g.__fraudRuntime = rt),
    (e: unknown) => {
      g.__fraudRuntimeOpening = undefined;
      throw e;
    },
  );
  return g.__fraudRuntimeOpening;
}

export async function platform(): Promise<Platform.Platform> {
  return (await runtime()).platform;
}
