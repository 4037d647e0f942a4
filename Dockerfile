# syntax=docker/dockerfile:1
#
# One image for every jetsaga service (README, Deploy):
#   docker build -t jetsaga:local .
#   docker run --rm -v order-data:/data -v "$PWD/infra/secrets/order.nk:/run/secrets/order.nk:ro" \
#     -e NATS_URL=nats://nats:4222 -e NATS_NKEY=/run/secrets/order.nk jetsaga:local run order
# The entry point is the `jetsaga` CLI: `run <service>` runs one service in the foreground,
# `provision` (with the admin's seed) creates the streams, `status`, `sagas`, ... work too.
#
# Both stages use the same base image, so the better-sqlite3 addon built in the first one
# matches the node that loads it in the second.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Only what `npm ci` reads (the lockfile, .npmrc, every workspace's package.json) and the
# CLI's bin, which npm links: the install layer below is rebuilt only when these change, and a
# new workspace needs no edit here.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name node_modules -prune -o \( -name package.json -o -name package-lock.json -o -name .npmrc \) -type f -print \
    | xargs -I{} cp --parents {} /manifests/ \
 && cp -r --parents shared/cli/bin /manifests/

FROM ${NODE_IMAGE} AS build
# better-sqlite3 is built from source (.npmrc: build-from-source=true): node-gyp needs these.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=manifests /manifests/ ./
# The install CI runs (.ci/run); test/unit/compose.unit.test.ts keeps the two the same.
RUN npm ci --no-audit --no-fund
COPY . .
# Every service's bundle, once (dist/services/<service>.mjs): `jetsaga run` runs them as they
# are (JETSAGA_BUNDLE_DIR below) and never writes into node_modules at start.
RUN node shared/cli/bin/jetsaga.js build --out dist/services
# Only what runs: drop the devDependencies (typescript, drizzle-kit, testcontainers, ...).
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# Owned by root, read-only to the service: the sources (the CLI runs them through tsx), the
# migrations (services/*/drizzle, shared/messaging/drizzle), the bundles, node_modules.
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/shared shared
COPY --from=build /app/services services
COPY --from=build /app/dist dist
# The data dir (SQLite files): owned by the image's user `node` (uid 1000) and writable by
# group 0, so a container run as another uid with group 0 (compose: JETSAGA_UID) can use it.
RUN mkdir /data && chown node:0 /data && chmod 0770 /data
ENV NODE_ENV=production \
    PATH=/app/node_modules/.bin:$PATH \
    JETSAGA_DATA_DIR=/data \
    JETSAGA_BUNDLE_DIR=/app/dist/services \
    JETSAGA_METRICS_PORT=9464
USER node
VOLUME ["/data"]
# /metrics, /healthz, /readyz (JETSAGA_METRICS_PORT; METRICS_PORT is its former name).
EXPOSE 9464
# Ready = consumers bound and NATS connected. No curl in a slim image: node's http client.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const port = process.env.JETSAGA_METRICS_PORT || process.env.METRICS_PORT; require('node:http').get({ host: '127.0.0.1', port, path: '/readyz', timeout: 3000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1)).on('timeout', function () { this.destroy(); }).on('error', () => process.exit(1));"]
ENTRYPOINT ["jetsaga"]
CMD ["--help"]
