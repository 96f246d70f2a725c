import { readFileSync } from 'node:fs';
import { AGENT_NODE_OPTIONS } from '@taskscope/cli';
import { startMock } from '@taskscope/mock';
import { expect, it } from 'vitest';

/*
 * No Docker engine runs in CI, so the image is not built here; these tests check what can go
 * stale without one: that the image copies the compiled output of every workspace package the
 * CLI needs at run time, starts the CLI's real bin, exposes the contract's port, and that the
 * compose stack points the agent at an endpoint the mock really serves.
 */

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const manifest = (path: string) =>
  JSON.parse(read(path)) as {
    name: string;
    bin?: Record<string, string>;
    dependencies?: Record<string, string>;
  };

/** Workspace packages the CLI needs at run time (production dependencies, transitively). */
function runtimeWorkspaces(name: string, seen = new Set<string>()): Set<string> {
  const dir = name.replace('@taskscope/', '');
  seen.add(dir);
  for (const dependency of Object.keys(manifest(`packages/${dir}/package.json`).dependencies ?? {})) {
    if (dependency.startsWith('@taskscope/') && !seen.has(dependency.replace('@taskscope/', ''))) {
      runtimeWorkspaces(dependency, seen);
    }
  }
  return seen;
}

it('the image carries the dist of every package the CLI runs and starts its bin on port 9780', () => {
  const dockerfile = read('docker/agent.Dockerfile');
  const copied = new Set(
    [...dockerfile.matchAll(/COPY --from=build \/app\/packages\/([^/]+)\/dist /g)].map((m) => m[1]),
  );
  expect([...copied].sort()).toEqual([...runtimeWorkspaces('@taskscope/cli')].sort());
  // The bin is a shim so that npm links it before the first build (packages/cli/README.md); the
  // image copies only dist, so it starts the build the shim runs.
  const bin = manifest('packages/cli/package.json').bin?.['taskscope'];
  expect(bin).toBe('./bin/taskscope.js');
  expect(read('packages/cli/bin/taskscope.js')).toContain("new URL('../dist/bin.js', import.meta.url)");
  // Started with the sidecar's node options, the ones the agent benchmark measures it with.
  const entrypoint = ['node', ...AGENT_NODE_OPTIONS, '/app/packages/cli/dist/bin.js'];
  expect(dockerfile).toContain(`ENTRYPOINT [${entrypoint.map((part) => JSON.stringify(part)).join(', ')}]`);
  expect(dockerfile).toMatch(/^EXPOSE 9780$/m);
  expect(dockerfile).toContain('turbo@2.11.11 prune @taskscope/cli --docker');
  // A current LTS line (Node 24 is Active LTS in November 2026).
  expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
});

it("compose points the agent at the sidecar's endpoint in the mock's fargate-web scenario", async () => {
  const compose = read('docker/compose.yaml');
  const url = /TASKSCOPE_METADATA_URL: (\S+)/.exec(compose)?.[1];
  const endpointId = /\/v4\/([^/\s]+)$/.exec(url ?? '')?.[1];
  expect(compose).toContain('"--scenario", "fargate-web"');
  const mock = await startMock({ scenario: 'fargate-web' });
  try {
    expect(mock.endpoints.find((e) => e.containerName === 'taskscope')?.endpointId).toBe(endpointId);
  } finally {
    await mock.close();
  }
});
