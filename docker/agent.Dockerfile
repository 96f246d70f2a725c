# syntax=docker/dockerfile:1.7
# The taskscope sidecar image. Build from the repository root:
#   docker build -f docker/agent.Dockerfile -t taskscope:dev .
# docker/README.md explains each choice: the base image, the labels, the read-only root.

# Node 24 LTS on Debian 12, pinned to the multi-arch index (amd64, arm64, ppc64le) that
# docker-library/repo-info records for this tag; Renovate or Dependabot can bump both together.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim@sha256:0e0ff40c39bc087845bfb27465a0df4ea419520094bc35842ff83dd8cbe6f9b6

# 1. Prune the monorepo to the CLI and what it depends on (turbo prune keeps the lockfile consistent).
FROM ${NODE_IMAGE} AS prune
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /src
COPY . .
RUN npx --yes turbo@2.11.11 prune @taskscope/cli --docker

# 2. Install with dev dependencies and compile TypeScript.
FROM ${NODE_IMAGE} AS build
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /app
COPY --from=prune /src/out/json/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked npm ci --no-audit --no-fund
COPY --from=prune /src/out/full/ ./
RUN npx turbo run build --filter=@taskscope/cli...

# 3. The CLI's bundle alone: one ESM file and its chunks, with every dependency inside and
# no node_modules (packages/cli/README.md, "The bundle"). The OpenTelemetry SDK, the mock and
# the Grafana builders are chunks of their own that `taskscope agent` loads only when asked.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/packages/cli/bundle/ ./
# Everything above is root's and read-only to the process: the agent writes no file (logs go
# to stderr, EMF to stdout), so `readonlyRootFilesystem: true` works with no volume at all.
# The base image's unprivileged `node` user, by number so that a runAsNonRoot check can verify it.
USER 1000:1000
EXPOSE 9780
# Docker copies image labels onto each container (docker_sd_configs sees them); ECS discovery
# reads the task definition's dockerLabels instead, which `taskscope inject` sets to the same.
# CloudWatch agent and ADOT ecs_observer defaults:
LABEL ECS_PROMETHEUS_EXPORTER_PORT="9780" \
      ECS_PROMETHEUS_METRICS_PATH="/metrics"
# prometheus-ecs-discovery (teralytics):
LABEL PROMETHEUS_EXPORTER_PORT="9780" \
      PROMETHEUS_EXPORTER_PATH="/metrics"
LABEL org.opencontainers.image.title="taskscope" \
      org.opencontainers.image.description="ECS/Fargate task metadata sidecar: Prometheus, OTLP and EMF metrics" \
      org.opencontainers.image.licenses="Apache-2.0"
# The agent drains and exits 0 on SIGTERM within its shutdown budget (docs/contract.md).
STOPSIGNAL SIGTERM
# Exec form, no shell. ECS ignores Docker's HEALTHCHECK; the task definition's healthCheck that
# `taskscope inject` writes runs the same command.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9780/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The node options: AGENT_NODE_OPTIONS in packages/cli/src/commands/v8-flags.ts says why.
ENTRYPOINT ["node", "--single-threaded-gc", "--max-semi-space-size=1", "/app/bin.mjs"]
CMD ["agent"]
