// Runs the workspace's TypeScript sources directly on Node 20+ (which cannot strip types):
// `node --conditions=@taskscope/source --import ./bench/register-ts.mjs file.ts`.
// Used by the benchmark and by tests that need a real child process; nothing is built.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
