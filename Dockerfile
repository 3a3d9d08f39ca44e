# syntax=docker/dockerfile:1
# WGS eligibility CDS service. Multi-stage: the TypeScript build and the native
# better-sqlite3 module are compiled in stages with a toolchain; the runtime
# stage gets only production dependencies, the compiled JavaScript and the
# rules (cds-services/, fhir-profiles/), and runs as a non-root user.
# All stages use the same base image, so the native module built in
# `prod-deps` matches the runtime's Node ABI and glibc.
ARG NODE_IMAGE=node:20-bookworm-slim

# --- toolchain for native modules (better-sqlite3 falls back to node-gyp) ---
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# --- build: all dependencies, compile TypeScript to dist/ ---
FROM toolchain AS build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The build validates and compiles the rules once (a rule error fails the image build)
# and leaves dist/rules-parse-cache.json for a fast start-up.
COPY cds-services ./cds-services
COPY fhir-profiles ./fhir-profiles
RUN npm run build

# --- prod-deps: production dependencies only ---
FROM toolchain AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime: no toolchain, no dev dependencies, non-root ---
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    RULES_ROOT=/app \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root cds-services ./cds-services
COPY --chown=root:root fhir-profiles ./fhir-profiles
# Read at runtime by the playground (src/http/routes/web.ts, src/web/demo-patients.ts).
COPY --chown=root:root src/web/static ./src/web/static
COPY --chown=root:root examples/patients ./examples/patients
# Code and rules stay root-owned (read-only to the service); only the SQLite
# data folder is writable. The image's `node` user is uid/gid 1000; the numeric
# form lets Kubernetes verify runAsNonRoot.
RUN mkdir -p /app/data && chown 1000:1000 /app/data
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "dist/healthcheck.js"]
# Exec form: node is PID 1 and receives SIGTERM directly (graceful shutdown).
CMD ["node", "dist/server.js"]
