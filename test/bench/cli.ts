import { fileURLToPath } from 'node:url';

/*
 * The two ways the CLI runs: tsc's output with node_modules (the published packages), and
 * the single-file bundle with its chunks (packages/cli/README.md, "The bundle"), which needs
 * no node_modules: the image's.
 */
export const UNBUNDLED_CLI = fileURLToPath(new URL('../../../packages/cli/dist/bin.js', import.meta.url));
export const BUNDLED_CLI = fileURLToPath(new URL('../../../packages/cli/bundle/bin.mjs', import.meta.url));

/**
 * The CLI the agent benchmark's agent runs from: the bundle, as the image runs it
 * (docker/agent.Dockerfile's ENTRYPOINT; docker.test.ts).
 */
export const AGENT_CLI: string = BUNDLED_CLI;
