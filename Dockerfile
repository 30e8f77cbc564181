# One image for both apps. The default command runs the api; docker-compose.yml
# runs the worker from the same image with `node dist/apps/worker/main.js`.
#
# Works with the classic builder (docker-compose 1.29) and BuildKit alike:
# no RUN --mount, no COPY --link, no syntax directive.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- base: shared settings for every stage -----------------------------------
FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# ---- deps: all dependencies (dev included) for the build ---------------------
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci

# ---- build: typecheck + rspack bundles into dist/apps/{api,worker,knowledge,sandbox}/main.js
FROM deps AS build
COPY tsconfig.json nest-cli.json ./
COPY scripts ./scripts
COPY libs ./libs
COPY apps ./apps
# The sandbox's emulator reuses the provider fakes (compose profile `sandbox` runs this stage).
COPY test/fakes ./test/fakes
# The sandbox syncs the example documents at start (its knowledge answers).
COPY examples ./examples
RUN npm run build

# ---- prod-deps: production dependencies only (the bundles require() them) ----
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# ---- runtime -----------------------------------------------------------------
FROM base AS runtime
ENV NODE_ENV=production
# Files stay root-owned (read-only for the app); the process runs as `node`.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/apps ./dist/apps
USER node
# api: PORT (default 3000); worker: WORKER_HTTP_PORT (default 3001, health only).
EXPOSE 3000 3001
# Node is PID 1 here: Nest's shutdown hooks handle SIGTERM/SIGINT. For zombie
# reaping run with an init (compose `init: true`, or `docker run --init`).
CMD ["node", "dist/apps/api/main.js"]
