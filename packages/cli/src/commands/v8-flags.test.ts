import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { TSX_LOADER } from '@taskscope/test-support';
import { describe, expect, it } from 'vitest';
import { AGENT_V8_FLAGS, applyAgentV8Flags } from './v8-flags.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MODULE_URL = pathToFileURL(fileURLToPath(new URL('./v8-flags.ts', import.meta.url))).href;

/*
 * V8's own view, through its natives syntax: after %OptimizeFunctionOnNextCall, bit 16 of
 * %GetOptimizationStatus (kOptimized) is set only if an optimizing compiler ran.
 */
const PROBE = `
import { applyAgentV8Flags } from ${JSON.stringify(MODULE_URL)};
const set = applyAgentV8Flags();
function hot(x) { return x * 2 + 1; }
%PrepareFunctionForOptimization(hot); hot(1); hot(2); %OptimizeFunctionOnNextCall(hot); hot(3);
process.stdout.write(JSON.stringify({ set, optimized: (%GetOptimizationStatus(hot) & 16) !== 0 }));
`;

async function probe(nodeFlags: readonly string[]): Promise<{ set: string[]; optimized: boolean }> {
  const dir = await mkdtemp(join(tmpdir(), 'taskscope-v8-'));
  try {
    const script = join(dir, 'probe.mjs');
    await writeFile(script, PROBE);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        ...nodeFlags,
        '--allow-natives-syntax',
        '--conditions=@taskscope/source',
        // tsx, not the per-file ts.transpileModule hooks that were slow under load (issue #9).
        '--import',
        TSX_LOADER,
        script,
      ],
      { cwd: ROOT },
    );
    return JSON.parse(stdout) as { set: string[]; optimized: boolean };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the agent V8 flags', () => {
  it('turn the optimizing compilers off in the process that sets them', async () => {
    expect(await probe([])).toEqual({ set: [...AGENT_V8_FLAGS], optimized: false });
  }, 60_000);

  it('leave a compiler choice made on node’s command line alone', async () => {
    expect(await probe(['--turbofan'])).toEqual({ set: [], optimized: true });
  }, 60_000);

  it('are not set when node’s arguments name a compiler flag, in any spelling', () => {
    // Safe in the test process: these calls return before setting anything.
    for (const argument of ['--turbofan', '--no-opt', '--maglev', '--no_liftoff_only', '--wasm-tier-up']) {
      expect(applyAgentV8Flags(['--enable-source-maps', argument])).toEqual([]);
    }
  });
});
