# syntax=docker/dockerfile:1.7
# The mock task metadata endpoint as a container, for local stacks: the pattern of
# awslabs/amazon-ecs-local-container-endpoints, with taskscope's scenarios. Point a container at
# it with ECS_CONTAINER_METADATA_URI_V4=http://<this container>:51679/v4/<endpoint id>
# (docker/compose.yaml does). Build from the repository root:
#   docker build -f docker/mock.Dockerfile -t taskscope-mock:dev .
# The stages and their reasons are docker/agent.Dockerfile's; docker/README.md explains them.

ARG NODE_IMAGE=node:24.21.0-bookworm-slim@sha256:0e0ff40c39bc087845bfb27465a0df4ea419520094bc35842ff83dd8cbe6f9b6

FROM ${NODE_IMAGE} AS prune
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /src
COPY . .
RUN npx --yes turbo@2.11.11 prune @taskscope/cli --docker

FROM ${NODE_IMAGE} AS build
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /app
COPY --from=prune /src/out/json/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked npm ci --no-audit --no-fund
COPY --from=prune /src/out/full/ ./
RUN npx turbo run build --filter=@taskscope/cli...

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prune /src/out/json/ ./
# As the agent image, and then without the workspaces `taskscope mock` never loads, so that
# their commands say they are not in this install (npm ci still installs their third-party
# dependencies: it installs the lockfile's closure of the CLI workspace).
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    rm -rf packages/test-support packages/fixtures packages/dashboards \
    && npm ci --omit=dev --omit=optional --no-audit --no-fund \
    && rm -rf node_modules/@grafana \
    && for p in agent client core dashboard dashboards exporters fargate sdk; do \
         rm -rf "packages/$p" "node_modules/@taskscope/$p"; \
       done
COPY --from=build /app/packages/input/dist ./packages/input/dist
COPY --from=build /app/packages/wire/dist ./packages/wire/dist
COPY --from=build /app/packages/mock/dist ./packages/mock/dist
COPY --from=build /app/packages/cli/dist ./packages/cli/dist
# The mock writes no file either: `readonlyRootFilesystem: true` / `read_only: true` work.
USER 1000:1000
# The port amazon-ecs-local-container-endpoints' examples use; any port works with --listen.
EXPOSE 51679
LABEL org.opencontainers.image.title="taskscope-mock" \
      org.opencontainers.image.description="A mock ECS task metadata endpoint (v2, v3, v4) with scenarios and faults" \
      org.opencontainers.image.licenses="Apache-2.0"
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:51679/v2/metadata').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/packages/cli/dist/bin.js", "mock"]
CMD ["--listen", "0.0.0.0:51679", "--scenario", "fargate-web"]
