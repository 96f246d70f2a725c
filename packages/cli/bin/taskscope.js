#!/usr/bin/env node
// npm links a workspace's bin at install time only when the target file exists, and dist/ does
// not until the first build: this committed file is the link target, so `npm ci` alone makes
// `npx taskscope` resolve in a fresh clone. It runs the built CLI (always there in the published
// tarball). In a checkout that was never built it builds the CLI first, once (Turborepo, about
// 30 s); where it cannot (no repository around it), it says the one command that builds it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/bin.js', import.meta.url);
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const turbo = new URL('../../../node_modules/.bin/turbo', import.meta.url);

if (!existsSync(built) && existsSync(turbo)) {
  process.stderr.write('taskscope: first run in this checkout, building the CLI (about 30 s, once)\n');
  const build = spawnSync(
    fileURLToPath(turbo),
    ['run', 'build', '--filter=@taskscope/cli...', '--output-logs=errors-only'],
    {
      cwd: repositoryRoot,
      // Build output goes to stderr: stdout is the command's own (JSON, EMF lines).
      stdio: ['ignore', 2, 2],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    },
  );
  if (build.status !== 0) {
    process.stderr.write(
      'taskscope: the build failed (above); `npm run build` at the repository root retries it.\n',
    );
    process.exit(1);
  }
}
if (existsSync(built)) {
  await import(built.href);
} else {
  process.stderr.write(
    'taskscope: the CLI is not built yet in this checkout.\n' +
      'Run `npm run build` at the repository root (about 30 s the first time), then run this again.\n',
  );
  process.exitCode = 1;
}
