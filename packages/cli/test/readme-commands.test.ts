import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cliDir = fileURLToPath(new URL('..', import.meta.url));
const repoDir = join(cliDir, '..', '..');
const builtBin = join(cliDir, 'dist', 'bin.js');

const readmes = [
  'README.md',
  'test/README.md',
  ...readdirSync(join(repoDir, 'packages')).map((name) => `packages/${name}/README.md`),
].filter((path) => {
  try {
    accessSync(join(repoDir, path));
    return true;
  } catch {
    return false;
  }
});

interface Invocation {
  readme: string;
  line: string;
  words: string[];
}

// A shell block is a fence tagged sh, bash, shell or console; console blocks prefix commands with `$ `.
function shellBlocks(markdown: string): string[][] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  let console = false;
  for (const line of markdown.split('\n')) {
    const fence = /^```(\w*)/.exec(line);
    if (fence !== null) {
      if (current === undefined) {
        if (['sh', 'bash', 'shell', 'console'].includes(fence[1] ?? '')) {
          current = [];
          console = fence[1] === 'console';
        } else if (fence[1] !== '') {
          current = undefined;
        }
      } else {
        blocks.push(current);
        current = undefined;
      }
      continue;
    }
    if (current === undefined) continue;
    if (console) {
      if (line.startsWith('$ ')) current.push(line.slice(2));
    } else current.push(line);
  }
  return blocks;
}

// Every pipeline stage or `&&` step that starts the CLI, by any of the names the READMEs use.
const launcher = /^(?:node(?:\s+--[\w-]+)*\s+)?(?:npx\s+|node_modules\/\.bin\/)?taskscope\s+(.*)$/;

function invocations(readme: string): Invocation[] {
  const markdown = readFileSync(join(repoDir, readme), 'utf8');
  const lines = shellBlocks(markdown).flat();
  // Inline spans that name the linked bin are commands to copy too (the agent README's node flags).
  for (const span of markdown.matchAll(/`([^`]*node_modules\/\.bin\/taskscope[^`]*)`/g)) {
    lines.push(span[1] ?? '');
  }
  const found: Invocation[] = [];
  for (const line of lines) {
    const command = line.replace(/\s#.*$/, '');
    for (const step of command.split(/\|\||&&|\||;/)) {
      const match = launcher.exec(step.trim());
      if (match === null) continue;
      const words = (match[1] ?? '').split(/\s+/).filter((word) => word !== '' && !word.startsWith('>'));
      found.push({ readme, line: line.trim(), words });
    }
  }
  return found;
}

const helpCache = new Map<string, Promise<string>>();
function help(path: string[]): Promise<string> {
  const key = path.join(' ');
  let text = helpCache.get(key);
  if (text === undefined) {
    text = run(process.execPath, [builtBin, ...path, '--help']).then(({ stdout }) => stdout);
    helpCache.set(key, text);
  }
  return text;
}

function subcommands(helpText: string): string[] {
  const section = helpText.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)]
    .map((match) => match[1] ?? '')
    .filter((name) => name !== 'help');
}

function flags(helpText: string): Set<string> {
  return new Set([...helpText.matchAll(/(?<![\w-])(--?[a-z][\w-]*)/g)].map((match) => match[1] ?? ''));
}

const all = readmes.flatMap(invocations);

describe('README commands', () => {
  it('finds the commands the READMEs show', () => {
    // A floor, so a parser that stops seeing blocks fails here rather than passing on nothing.
    expect(all.length).toBeGreaterThanOrEqual(15);
    expect(new Set(all.map((call) => call.readme))).toEqual(
      new Set(['packages/agent/README.md', 'packages/cli/README.md', 'packages/mock/README.md']),
    );
  });

  it.each(all.map((call) => [`${call.readme}: ${call.line}`, call] as const))(
    'names a command and flags that exist: %s',
    async (_name, call) => {
      const path: string[] = [];
      let helpText = await help(path);
      for (const word of call.words) {
        const names = subcommands(helpText);
        if (names.length === 0 || word.startsWith('-')) break;
        expect(names, `${word} in ${call.line}`).toContain(word);
        path.push(word);
        helpText = await help(path);
      }
      expect(path.length, call.line).toBeGreaterThan(0);
      const known = flags(helpText);
      for (const word of call.words) {
        if (!word.startsWith('-') || word === '-') continue;
        const flag = word.split('=')[0] ?? word;
        expect(known, `${flag} in ${call.line} (taskscope ${path.join(' ')} --help)`).toContain(flag);
      }
    },
  );

  it('quick start is what package.json and .ci/run provide', () => {
    const readme = readFileSync(join(repoDir, 'README.md'), 'utf8');
    const quickStart = readme.split(/^## Quick start$/m)[1]?.split(/^## /m)[0] ?? '';
    const commands = shellBlocks(quickStart)
      .flat()
      .map((line) => line.replace(/\s#.*$/, '').trim());
    expect(commands).toEqual(['npm ci && npm run demo', 'npm test']);

    const scripts = (
      JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    // demo builds the CLI and what it loads, then runs the demo command from the build.
    expect(scripts.demo).toMatch(
      /turbo run build --filter=@taskscope\/cli\.\.\..*&& node packages\/cli\/dist\/bin\.js demo$/,
    );
    expect(scripts.test).toMatch(/^npm run lint && npm run typecheck && .*turbo run test/);

    const ci = readFileSync(join(repoDir, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^NODE_MATRIX=.* npm test$/m);
  });
});

describe('the bin npm links at install time', () => {
  const manifest = JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
    files: string[];
  };
  const shim = join(cliDir, manifest.bin.taskscope ?? '');
  const temp = mkdtempSync(join(tmpdir(), 'taskscope-shim-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('is the committed shim, executable, and packed with the build', () => {
    expect(manifest.bin).toEqual({ taskscope: './bin/taskscope.js' });
    expect(manifest.files).toEqual(expect.arrayContaining(['bin', 'dist']));
    accessSync(shim, constants.X_OK);
    expect(readFileSync(shim, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('says what to run before the first build, and runs the build after it', async () => {
    // A copy of the package as a fresh clone has it: the shim, and no dist.
    cpSync(shim, join(temp, 'bin', 'taskscope.js'));
    writeFileSync(join(temp, 'package.json'), JSON.stringify({ type: 'module' }));
    const before = await run(process.execPath, [join(temp, 'bin', 'taskscope.js'), '--help']).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(before?.code).toBe(1);
    expect(before?.stdout).toBe('');
    expect(before?.stderr).toBe(
      'taskscope: the CLI is not built yet in this checkout.\n' +
        'Run `npm run build` at the repository root (about 30 s the first time), then run this again.\n',
    );

    // Node resolves the link to the real dist, so its imports find the workspace's packages.
    symlinkSync(join(cliDir, 'dist'), join(temp, 'dist'));
    const after = await run(process.execPath, [join(temp, 'bin', 'taskscope.js'), '--help']);
    expect(after.stdout).toBe(await help([]));
    expect(after.stdout).toMatch(/^Usage: taskscope /);
  });

  it('builds a never-built checkout on the first run, its output on stderr, then runs the command', async () => {
    // A checkout's layout with a stand-in for Turborepo that writes the dist a build would.
    const root = join(temp, 'checkout');
    cpSync(shim, join(root, 'packages', 'cli', 'bin', 'taskscope.js'));
    writeFileSync(join(root, 'packages', 'cli', 'package.json'), JSON.stringify({ type: 'module' }));
    const turbo = join(root, 'node_modules', '.bin', 'turbo');
    cpSync(shim, turbo);
    writeFileSync(
      turbo,
      [
        '#!/bin/sh',
        'echo "turbo $* telemetry=$TURBO_TELEMETRY_DISABLED in $(pwd)"',
        'mkdir -p packages/cli/dist',
        `echo 'console.log("ran", process.argv.slice(2).join(" "))' > packages/cli/dist/bin.js`,
      ].join('\n'),
      { mode: 0o755 },
    );
    const first = await run(process.execPath, [
      join(root, 'packages', 'cli', 'bin', 'taskscope.js'),
      'top',
      '--help',
    ]);
    expect(first.stdout).toBe('ran top --help\n');
    expect(first.stderr).toBe(
      'taskscope: first run in this checkout, building the CLI (about 30 s, once)\n' +
        `turbo run build --filter=@taskscope/cli... --output-logs=errors-only telemetry=1 in ${realpathSync(root)}\n`,
    );
    // Built now: no second build.
    const second = await run(process.execPath, [
      join(root, 'packages', 'cli', 'bin', 'taskscope.js'),
      'demo',
    ]);
    expect([second.stdout, second.stderr]).toEqual(['ran demo\n', '']);
  });
});
