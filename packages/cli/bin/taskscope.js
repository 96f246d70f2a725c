#!/usr/bin/env node
// npm links a workspace's bin at install time only when the target file exists, and dist/ does
// not until the first build: this committed file is the link target, so `npm ci` alone makes
// `npx taskscope` resolve in a fresh clone. It runs the built CLI (always there in the published
// tarball) and, in a checkout that was never built, says the one command that builds it.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  process.stderr.write(
    'taskscope: the CLI is not built yet in this checkout.\n' +
      'Run `npm run build` at the repository root (about 30 s the first time), then run this again.\n',
  );
  process.exitCode = 1;
}
