import { fileURLToPath } from 'node:url';

/*
 * The two ways the CLI runs: tsc's output with node_modules (the published packages, and the
 * image until issue #14), and the single-file bundle with its chunks (packages/cli/README.md,
 * "The bundle"), which needs no node_modules.
 */
export const UNBUNDLED_CLI = fileURLToPath(new URL('../../../packages/cli/dist/bin.js', import.meta.url));
export const BUNDLED_CLI = fileURLToPath(new URL('../../../packages/cli/bundle/bin.mjs', import.meta.url));

/**
 * The CLI the agent benchmark's agent runs from: the one constant to flip when the image runs
 * the bundle (agent.ts then imports it instead of its own `CLI`).
 */
export const AGENT_CLI: string = UNBUNDLED_CLI;
