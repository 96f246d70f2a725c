# syntax=docker/dockerfile:1.7
# The taskscope sidecar image. Build from the repository root:
#   docker build -f docker/agent.Dockerfile -t taskscope:dev .
# The same image runs `taskscope mock` for local stacks (see docker/compose.yaml).

ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Prune the monorepo to the CLI and what it depends on (turbo prune keeps the lockfile consistent).
FROM ${NODE_IMAGE} AS prune
WORKDIR /src
COPY . .
RUN npx --yes turbo@2.11.11 prune @taskscope/cli --docker

# 2. Install with dev dependencies and compile TypeScript.
FROM ${NODE_IMAGE} AS build
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /app
COPY --from=prune /src/out/json/ ./
RUN npm ci --no-audit --no-fund
COPY --from=prune /src/out/full/ ./
RUN npx turbo run build --filter=@taskscope/cli...

# 3. Production dependencies only, plus the compiled output.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prune /src/out/json/ ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/packages/input/dist ./packages/input/dist
COPY --from=build /app/packages/fargate/dist ./packages/fargate/dist
COPY --from=build /app/packages/dashboards/dist ./packages/dashboards/dist
COPY --from=build /app/packages/wire/dist ./packages/wire/dist
COPY --from=build /app/packages/client/dist ./packages/client/dist
COPY --from=build /app/packages/core/dist ./packages/core/dist
COPY --from=build /app/packages/exporters/dist ./packages/exporters/dist
COPY --from=build /app/packages/sdk/dist ./packages/sdk/dist
# The dashboard is one built page and the module that says where it is.
COPY --from=build /app/packages/dashboard/dist ./packages/dashboard/dist
COPY --from=build /app/packages/dashboard/index.js ./packages/dashboard/index.js
COPY --from=build /app/packages/agent/dist ./packages/agent/dist
COPY --from=build /app/packages/mock/dist ./packages/mock/dist
COPY --from=build /app/packages/cli/dist ./packages/cli/dist
# Runs as the image's unprivileged `node` user (uid 1000); the agent needs no privileges.
USER node
EXPOSE 9780
# ECS ignores Docker's HEALTHCHECK; the task definition's healthCheck runs the same command.
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9780/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# --single-threaded-gc: AGENT_NODE_OPTIONS in packages/cli/src/commands/v8-flags.ts says why.
ENTRYPOINT ["node", "--single-threaded-gc", "/app/packages/cli/dist/bin.js"]
CMD ["agent"]
