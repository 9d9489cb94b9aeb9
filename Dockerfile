# syntax=docker/dockerfile:1
# One image recipe for every deployable app: the workers (one Kubernetes Job per load) and
# queue-manager (a Deployment). APP names the app; NODE_ARGS are its node options, equal to
# workerNodeArgs(APP) in libs/launchers (.gitlab-ci.yml passes both; tools/deploy-tests holds them equal).
# Build context: the repository root, e.g.
#   /kaniko/executor --context $CI_PROJECT_DIR --dockerfile $CI_PROJECT_DIR/Dockerfile --build-arg APP=arango-candles
# Both stages are Debian bookworm (glibc) with the same Node major, so a native module compiled or
# downloaded in the builder (better-sqlite3) loads unchanged in the runtime image.
ARG NODE_MAJOR=24

FROM node:${NODE_MAJOR}-bookworm AS builder
ARG APP
WORKDIR /workspace
COPY package.json package-lock.json ./
COPY patches/ patches/
# --ignore-scripts: the root postinstall provisions a Kafka broker for tests (Java + Maven), which a
# bundle does not need; but the patches of patches/ must reach the bundle, so patch-package runs here.
RUN test -n "$APP" || { echo 'build with --build-arg APP=<app>' >&2; exit 1; } \
 && npm ci --ignore-scripts --no-audit --no-fund \
 && npx patch-package --error-on-fail
COPY . .
RUN sh tools/ci/build-app.sh "$APP"
WORKDIR /workspace/dist/apps/${APP}
# The production dependencies of the package.json (and lockfile) Nx generated for this app: the
# esbuild externals the bundle loads at run time (better-sqlite3, a native module) plus the bundled
# packages Nx lists beside them. The full bookworm image has python3, make and g++ in case the
# native module has no prebuilt binary and must compile from source.
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:${NODE_MAJOR}-bookworm-slim
ARG APP
ARG NODE_ARGS=""
# NODE_OPTIONS carries the app's node options, so CMD is the same for every app (a Job's command
# from libs/launchers repeats them, with the same values).
ENV NODE_ENV=production \
    NODE_OPTIONS="--enable-source-maps ${NODE_ARGS}"
WORKDIR /app
COPY --from=builder /workspace/dist/apps/${APP}/ ./
# Numeric UID (the image's "node" user): Kubernetes can only enforce runAsNonRoot for a numeric user.
USER 1000:1000
# queue-manager: REST API, WebSocket /ws/topic, /metrics and /health/* (PORT); workers: /metrics and
# /health/* (METRICS_PORT). Both default to 8000.
EXPOSE 8000
# Kubernetes uses its own probes; this serves plain `docker run`.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||process.env.METRICS_PORT||8000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "main.js"]
