# syntax=docker/dockerfile:1
# One image for every pipeline: PIPELINES chooses what a container runs.
# Build: docker build -t tributary .   Run: see README (Docker) and docker-compose.yml.

# Node 26, the active LTS (package.json's engines also allow 22 and 24), on Debian 13 (trixie).
ARG NODE_IMAGE=node:26-trixie-slim

# better-sqlite3 compiles from source: the install stages need a toolchain, the runtime does not.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

# Production dependencies only, native modules built for the runtime's Node and glibc.
FROM toolchain AS deps
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Dev dependencies too, to compile the application.
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
# The operator console (Vite), built into dist/console, which the runtime stage copies with dist.
COPY console ./console
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the app user: the process cannot alter its own code.
COPY package.json ./
COPY config ./config
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The embedded SQLite file lives here when DATABASE_URL is unset; mount a volume to keep it.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# A young generation of up to 64 MiB per semi-space (V8 grows it only under allocation
# pressure): a busy pipeline spends far less time in GC (npm run bench:import). A service
# that sets NODE_OPTIONS itself (docker-compose.yml) sizes both generations to its limit.
ENV NODE_OPTIONS=--max-semi-space-size=64
EXPOSE 3000
# No curl in the slim image: Node's fetch asks the liveness probe.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/health/live`, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
