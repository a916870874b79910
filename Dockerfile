# syntax=docker/dockerfile:1
# The fraud decision platform in one container, as `npm start` runs it on a machine: the server
# (the API and the dashboard on port 3000) and the worker, with every piece of data in the volume
# at /data. Build and run it with compose.yaml: docs/deploy-container.md.

# The workspace's package manifests, on the full Node image: better-sqlite3 compiles with the
# compilers it has, for the Node the runtime stage runs.
FROM node:22-bookworm AS manifests
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY scripts/pnpm.mjs scripts/setup.mjs scripts/
COPY packages/core/package.json packages/core/
COPY packages/api/package.json packages/api/
COPY packages/server/package.json packages/server/
COPY packages/cli/package.json packages/cli/
COPY packages/lambda/package.json packages/lambda/
COPY packages/web/package.json packages/web/
COPY bench/package.json bench/

# Every dependency, and the dashboard's production build.
FROM manifests AS build
RUN node scripts/pnpm.mjs install --frozen-lockfile
COPY . .
# The build's own cache serves only the next build: it stays out of the image.
RUN node scripts/setup.mjs && rm -rf packages/web/.next/cache

# Only what the processes need at run time: no test, lint, browser or AWS tooling.
FROM manifests AS production-dependencies
RUN node scripts/pnpm.mjs install --prod --frozen-lockfile

# Runtime stage: Node's slim image, the built application owned by root and read-only to the
# user the processes run as.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    FRAUD_DATA_DIR=/data
WORKDIR /app
COPY --from=production-dependencies /app /app
COPY . .
COPY --from=build /app/packages/web/.next packages/web/.next
# The data directory (and one for backups), owner-only as the platform makes it; the dashboard's
# cache is the one place under /app it writes.
RUN mkdir -p /data /backups /app/packages/web/.next/cache \
 && chown node:node /data /backups /app/packages/web/.next/cache \
 && chmod 700 /data /backups
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# npm start's own command, without npm in between: the signals from `docker stop` reach it.
CMD ["node", "scripts/start.mjs"]
