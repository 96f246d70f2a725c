import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/*
 * What `npm publish` would ship, installed the way a user installs it: every public package is
 * packed once (`npm pack`), the tarballs are installed into an empty project, and that project
 * imports every entry point of every package from Node and from TypeScript (node16 and nodenext
 * resolution, against the installed declarations) and runs the installed `taskscope --help`.
 * Needs the packages built (test/turbo.json: `test` depends on `^build`).
 *
 * Offline: `npm ci` leaves the tarballs of the third-party packages in npm's cache, keyed by
 * integrity, but not the registry's package documents a fresh resolution reads (the lockfile
 * keeps no `resolved` URLs), so a plain `npm install --offline` of the tarballs fails with
 * ENOTCACHED. The consumer therefore gets a lockfile: the repository's own entries for exactly
 * the third-party packages the tarballs' `dependencies` reach, at the versions `npm ci` checked,
 * and `npm ci --offline` installs from the cache alone.
 */

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE_CONDITION = '@taskscope/source';
/** The biggest tarball is the mock's: 95 kB packed, 326 kB unpacked (2026-12). */
const MAX_UNPACKED_BYTES = 768 * 1024;
/** What a consumer adds besides the tarballs: msw for `@taskscope/mock/msw` (an optional peer), Node's types for tsc. */
const CONSUMER_EXTRAS = ['msw', '@types/node'] as const;
const TEST_FILE =
  /(^|\/)(test|tests|__tests__|__golden__|fixtures)\/|\.(test|spec|test-d|bench)\.[cm]?[jt]s$/;

type Conditions = Readonly<Record<string, string>>;
interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly license?: string;
  readonly type?: string;
  readonly main?: string;
  readonly types?: string;
  readonly sideEffects?: boolean;
  readonly files?: readonly string[];
  readonly engines?: Readonly<Record<string, string>>;
  readonly repository?: { readonly type: string; readonly url: string; readonly directory: string };
  readonly publishConfig?: Readonly<Record<string, string>>;
  readonly exports: Readonly<Record<string, string | Conditions>>;
  readonly bin?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}
interface Workspace {
  readonly dir: string;
  readonly path: string;
  readonly manifest: Manifest;
}
interface LockEntry {
  readonly version?: string;
  readonly resolved?: string;
  readonly link?: boolean;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly [field: string]: unknown;
}
interface PackResult {
  readonly name: string;
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}
/** What the consumer's Node got from one entry point, and what the workspace's build has there. */
interface ImportResult {
  readonly installed?: unknown;
  readonly workspace?: unknown;
  readonly error?: string;
}
/** One key of a package's `exports`, as the consumer imports it. */
interface Entry {
  readonly specifier: string;
  /** `js` is imported, `json` imported with `type: 'json'`, `file` resolved and read; `workspace` has only the source condition. */
  readonly kind: 'js' | 'json' | 'file' | 'workspace';
  /** The target in the package (the non-source condition's), relative to its folder. */
  readonly target?: string;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const rootManifest = readJson<Manifest>(join(ROOT, 'package.json'));
const rootLock = readJson<{ packages: Record<string, LockEntry> }>(join(ROOT, 'package-lock.json'));
const workspaces: Workspace[] = readdirSync(join(ROOT, 'packages'))
  .filter((dir) => statSync(join(ROOT, 'packages', dir, 'package.json'), { throwIfNoEntry: false }))
  .map((dir) => ({
    dir,
    path: join(ROOT, 'packages', dir),
    manifest: readJson<Manifest>(join(ROOT, 'packages', dir, 'package.json')),
  }));
const published = workspaces.filter((workspace) => workspace.manifest.private !== true);
const privateNames = new Set(workspaces.filter((w) => w.manifest.private).map((w) => w.manifest.name));

function kindOf(target: string): Entry['kind'] {
  if (target.endsWith('.json')) return 'json';
  return /\.[cm]?js$/.test(target) ? 'js' : 'file';
}

function entriesOf(manifest: Manifest): Entry[] {
  return Object.entries(manifest.exports).map(([key, value]) => {
    const specifier = key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`;
    if (typeof value === 'string') return { specifier, kind: kindOf(value), target: value };
    const target = value['default'] ?? value['import'];
    if (target === undefined) return { specifier, kind: 'workspace' };
    return { specifier, kind: kindOf(target), target };
  });
}

/** The lockfile path `name` resolves to from the package at `from`, the way Node walks up node_modules. */
function resolveInLock(lock: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (lock[candidate]) return candidate;
    if (base === '') return undefined;
    const nested = base.lastIndexOf('/node_modules/');
    base = nested === -1 ? '' : base.slice(0, nested);
  }
}

/** The names an entry needs installed: dependencies, optional ones, and the peers that are not optional. */
function needs(entry: LockEntry | Manifest): string[] {
  const optionalPeers = entry.peerDependenciesMeta ?? {};
  return [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...Object.keys(entry.peerDependencies ?? {}).filter((peer) => optionalPeers[peer]?.optional !== true),
  ];
}

/**
 * The consumer's lockfile entries for the third-party packages reached from `roots` (lockfile
 * paths of the repository), with the workspace folders moved to where an install puts them.
 */
function thirdPartyClosure(roots: readonly string[]): Map<string, LockEntry> {
  const byWorkspacePath = new Map(workspaces.map((w) => [`packages/${w.dir}`, w.manifest.name]));
  const consumerPath = (lockPath: string): string => {
    const [first, second, ...rest] = lockPath.split('/');
    const name = byWorkspacePath.get(`${first}/${second}`);
    return name === undefined ? lockPath : [`node_modules/${name}`, ...rest].join('/');
  };
  const closure = new Map<string, LockEntry>();
  const queue = [...roots];
  for (let from = queue.shift(); from !== undefined; from = queue.shift()) {
    const entry = rootLock.packages[from]!;
    for (const name of needs(entry)) {
      if (name.startsWith('@taskscope/')) continue; // a tarball: checked by the manifest test
      const found = resolveInLock(rootLock.packages, from, name);
      if (found === undefined) {
        if (entry.optionalDependencies?.[name] !== undefined) continue;
        throw new Error(`${from} needs ${name}, which the repository's package-lock.json does not hold`);
      }
      if (closure.has(consumerPath(found))) continue;
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = rootLock.packages[found]!;
      closure.set(consumerPath(found), kept);
      queue.push(found);
    }
  }
  return closure;
}

interface Size {
  /** The files' own sizes added up (what `du --apparent-size` counts). */
  readonly bytes: number;
  /** The blocks they and their folders take on disk (what `du` counts). */
  readonly diskBytes: number;
}
const addSizes = (sizes: readonly Size[]): Size => ({
  bytes: sizes.reduce((sum, size) => sum + size.bytes, 0),
  diskBytes: sizes.reduce((sum, size) => sum + size.diskBytes, 0),
});

/** The size of a package's folder, without its nested node_modules (counted as packages of their own). */
function packageSize(path: string): Size {
  const sizes: Size[] = [{ bytes: 0, diskBytes: statSync(path).blocks * 512 }];
  for (const dirent of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, dirent.name);
    if (dirent.isDirectory() && dirent.name !== 'node_modules') sizes.push(packageSize(child));
    else if (dirent.isFile()) {
      const stats = statSync(child);
      sizes.push({ bytes: stats.size, diskBytes: stats.blocks * 512 });
    }
  }
  return addSizes(sizes);
}

/** npm's own variables (npm_config_local_prefix, npm_package_*) would point a nested npm at this repository. */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = new Set([
    'npm_config_cache',
    'npm_config_userconfig',
    'npm_config_globalconfig',
    'npm_config_registry',
  ]);
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.toLowerCase().startsWith('npm_') || keep.has(key.toLowerCase()),
    ),
  );
}

async function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env: cleanEnv(),
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`,
    );
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

/**
 * Imports every entry point of every installed package in one Node process run in the consumer,
 * and the same target of the workspace's build beside it, for the tests to compare.
 */
async function importEveryEntry(
  entries: readonly (Entry & { readonly workspaceUrl?: string })[],
): Promise<Record<string, ImportResult>> {
  const script = `
    import { readFileSync } from 'node:fs';
    const out = {};
    for (const entry of JSON.parse(process.argv[2])) {
      try {
        if (entry.kind === 'js') {
          const [installed, workspace] = [await import(entry.specifier), await import(entry.workspaceUrl)];
          out[entry.specifier] = { installed: Object.keys(installed).sort(), workspace: Object.keys(workspace).sort() };
        } else if (entry.kind === 'json') {
          const installed = await import(entry.specifier, { with: { type: 'json' } });
          out[entry.specifier] = { installed: installed.default, workspace: JSON.parse(readFileSync(new URL(entry.workspaceUrl), 'utf8')) };
        } else if (entry.kind === 'file') {
          const installed = readFileSync(new URL(import.meta.resolve(entry.specifier)), 'utf8');
          out[entry.specifier] = { installed, workspace: readFileSync(new URL(entry.workspaceUrl), 'utf8') };
        } else {
          await import(entry.specifier);
          out[entry.specifier] = { installed: 'imported' };
        }
      } catch (error) {
        out[entry.specifier] = { error: error.code ?? error.message };
      }
    }
    process.stdout.write(JSON.stringify(out));`;
  await writeFile(join(consumer, 'imports.mjs'), script);
  return JSON.parse(
    await run(process.execPath, ['imports.mjs', JSON.stringify(entries)], consumer),
  ) as Record<string, ImportResult>;
}

let consumer = '';
let scratch = '';
const packed = new Map<string, PackResult>();
const installedManifests = new Map<string, Manifest>();
/** Every key of every public package's exports, with the workspace file its target is built to. */
const entries = published.flatMap(({ path, manifest }) =>
  entriesOf(manifest).map((entry) => ({
    ...entry,
    ...(entry.target ? { workspaceUrl: pathToFileURL(join(path, entry.target)).href } : {}),
  })),
);
let imported: Record<string, ImportResult> = {};

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'taskscope-pack-'));
  consumer = join(scratch, 'consumer');
  const tarballs = join(consumer, 'tarballs');
  await mkdir(tarballs, { recursive: true });

  const packOutput = await run(
    'npm',
    [
      'pack',
      '--json',
      '--pack-destination',
      tarballs,
      ...published.flatMap((w) => ['-w', `packages/${w.dir}`]),
    ],
    ROOT,
  );
  for (const result of JSON.parse(packOutput) as PackResult[]) packed.set(result.name, result);

  const dependencies: Record<string, string> = {};
  const lockPackages: Record<string, unknown> = {};
  for (const { dir, manifest } of published) {
    const filename = packed.get(manifest.name)?.filename;
    if (filename === undefined)
      throw new Error(`npm pack made no tarball for ${manifest.name} (packages/${dir})`);
    dependencies[manifest.name] = `file:tarballs/${filename}`;
    const { name: _name, ...lockEntry } = rootLock.packages[`packages/${dir}`]!;
    lockPackages[`node_modules/${manifest.name}`] = { ...lockEntry, resolved: `file:tarballs/${filename}` };
  }
  for (const extra of CONSUMER_EXTRAS)
    dependencies[extra] = rootLock.packages[`node_modules/${extra}`]!.version!;
  const closure = thirdPartyClosure([
    ...published.map((w) => `packages/${w.dir}`),
    ...CONSUMER_EXTRAS.map((extra) => `node_modules/${extra}`),
  ]);
  for (const extra of CONSUMER_EXTRAS) {
    const {
      dev: _dev,
      devOptional: _devOptional,
      peer: _peer,
      ...kept
    } = rootLock.packages[`node_modules/${extra}`]!;
    closure.set(`node_modules/${extra}`, kept);
  }
  for (const [path, entry] of closure) lockPackages[path] = entry;
  const consumerManifest = {
    name: 'taskscope-consumer',
    version: '0.0.0',
    private: true,
    type: 'module',
    dependencies,
  };
  await writeFile(join(consumer, 'package.json'), `${JSON.stringify(consumerManifest, null, 2)}\n`);
  await writeFile(
    join(consumer, 'package-lock.json'),
    `${JSON.stringify(
      {
        name: consumerManifest.name,
        version: consumerManifest.version,
        lockfileVersion: 3,
        requires: true,
        packages: { '': consumerManifest, ...lockPackages },
      },
      null,
      2,
    )}\n`,
  );
  // Install scripts stay off: the ones in this tree (msw's, protobufjs's) only print or copy
  // files a browser app needs, and a script is the one part of an install that may go online.
  await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], consumer);
  for (const { manifest } of published) {
    installedManifests.set(
      manifest.name,
      readJson<Manifest>(join(consumer, 'node_modules', manifest.name, 'package.json')),
    );
  }

  imported = await importEveryEntry(entries);

  // The figures the issue asks for: each tarball, and what installing the CLI (every public
  // package and their dependencies, without the consumer's extras) puts in node_modules.
  const cliClosure = thirdPartyClosure(published.map((w) => `packages/${w.dir}`));
  const own = addSizes(published.map((w) => packageSize(join(consumer, 'node_modules', w.manifest.name))));
  const thirdParty = [...cliClosure.keys()].map((path) => ({
    path,
    size: packageSize(join(consumer, path)),
  }));
  const otel = addSizes(
    thirdParty.filter((p) => p.path.includes('node_modules/@opentelemetry/')).map((p) => p.size),
  );
  const total = addSizes([own, ...thirdParty.map((p) => p.size)]);
  const largest = [...thirdParty]
    .sort((a, b) => b.size.bytes - a.size.bytes)
    .slice(0, 6)
    .map((p) => `${p.path.replace(/^.*node_modules\//, '')} ${mb(p.size.bytes)}`);
  const both = (size: Size) => `${mb(size.bytes)} (${mb(size.diskBytes)} on disk)`;
  console.info(
    [
      'package                 packed     unpacked   files',
      ...[...packed.values()].map(
        (p) =>
          `${p.name.padEnd(22)}  ${kb(p.size).padStart(9)}  ${kb(p.unpackedSize).padStart(9)}  ${p.files.length}`,
      ),
      `npm install @taskscope/cli: ${both(total)} in node_modules, ${cliClosure.size} third-party packages;` +
        ` OpenTelemetry ${both(otel)}; the taskscope packages ${both(own)}`,
      `largest: ${largest.join(', ')}`,
    ].join('\n'),
  );
}, 240_000);

afterAll(async () => {
  if (scratch !== '') await rm(scratch, { recursive: true, force: true });
});

test('the public packages are every workspace package but the private test helpers', () => {
  expect(published.map((w) => w.manifest.name).sort()).toEqual([
    '@taskscope/agent',
    '@taskscope/cli',
    '@taskscope/client',
    '@taskscope/core',
    '@taskscope/dashboard',
    '@taskscope/dashboards',
    '@taskscope/exporters',
    '@taskscope/fargate',
    '@taskscope/input',
    '@taskscope/mock',
    '@taskscope/sdk',
    '@taskscope/wire',
  ]);
  expect([...privateNames].sort()).toEqual(['@taskscope/fixtures', '@taskscope/test-support']);
});

test('changesets versions the public packages as one fixed group and leaves the private ones out', () => {
  const config = readJson<{
    fixed: string[][];
    linked: string[][];
    access: string;
    privatePackages: { version: boolean; tag: boolean };
  }>(join(ROOT, '.changeset', 'config.json'));
  expect(config.fixed).toEqual([published.map((w) => w.manifest.name).sort()]);
  expect(config.linked).toEqual([]);
  expect(config.access).toBe('public');
  expect(config.privatePackages).toEqual({ version: false, tag: false });
  for (const { path, manifest } of published) {
    const changelog = readFileSync(join(path, 'CHANGELOG.md'), 'utf8');
    expect(changelog.startsWith(`# ${manifest.name}\n`), `${manifest.name} CHANGELOG.md title`).toBe(true);
    expect(changelog, `${manifest.name} CHANGELOG.md`).toContain(`\n## ${manifest.version}\n`);
  }
});

describe.each(published)('$manifest.name', ({ dir, manifest }) => {
  test('its tarball holds the built package, its README and LICENSE, and no tests, sources or maps', () => {
    const result = packed.get(manifest.name)!;
    const paths = result.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']));
    expect(paths.filter((path) => TEST_FILE.test(path))).toEqual([]);
    expect(
      paths.filter(
        (path) => path.startsWith('src/') || (/\.(ts|tsx)$/.test(path) && !path.endsWith('.d.ts')),
      ),
    ).toEqual([]);
    expect(paths.filter((path) => path.endsWith('.map') || path.includes('tsbuildinfo'))).toEqual([]);
    expect(result.unpackedSize).toBeLessThan(MAX_UNPACKED_BYTES);
    // The licence file is the repository's, word for word (npm takes it from the package's folder).
    expect(readFileSync(join(consumer, 'node_modules', manifest.name, 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'LICENSE'), 'utf8'),
    );
  });

  test('its manifest says what it is, where it comes from and what it runs on', () => {
    const installed = installedManifests.get(manifest.name)!;
    expect(installed.version).toBe(manifest.version);
    expect(installed.license).toBe('Apache-2.0');
    expect(installed.type).toBe('module');
    expect(installed.engines).toEqual(rootManifest.engines);
    expect(installed.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/taskscope/taskscope.git',
      directory: `packages/${dir}`,
    });
    expect(installed.publishConfig).toEqual({ access: 'public' });
    const shipped = new Set(packed.get(manifest.name)!.files.map((file) => file.path));
    expect(shipped).toContain(installed.types!.replace(/^\.\//, ''));
    expect(shipped).toContain(installed.main!.replace(/^\.\//, ''));
    for (const bin of Object.values(installed.bin ?? {})) expect(shipped).toContain(bin.replace(/^\.\//, ''));
  });

  test('every entry of its exports lists types before the runtime target, and both are in the tarball', () => {
    const shipped = new Set(packed.get(manifest.name)!.files.map((file) => file.path));
    for (const [key, value] of Object.entries(manifest.exports)) {
      if (typeof value === 'string') {
        expect(shipped, `${manifest.name} exports ${key}`).toContain(value.replace(/^\.\//, ''));
        continue;
      }
      const conditions = Object.keys(value).filter((condition) => condition !== SOURCE_CONDITION);
      if (conditions.length === 0) continue; // workspace-only: asserted unreachable below
      expect(conditions[0], `${manifest.name} exports ${key}: the first condition`).toBe('types');
      expect(conditions.at(-1), `${manifest.name} exports ${key}: the last condition`).toBe('default');
      for (const condition of conditions) {
        expect(shipped, `${manifest.name} exports ${key} ${condition}`).toContain(
          value[condition]!.replace(/^\.\//, ''),
        );
      }
    }
  });

  test('it depends on taskscope packages by the exact version they are released at, and on no private one', () => {
    const installed = installedManifests.get(manifest.name)!;
    const versions = new Map(published.map((w) => [w.manifest.name, w.manifest.version]));
    const runtime = {
      ...installed.dependencies,
      ...installed.optionalDependencies,
      ...installed.peerDependencies,
    };
    for (const [name, range] of Object.entries(runtime).filter(([name]) => name.startsWith('@taskscope/'))) {
      expect(privateNames.has(name), `${manifest.name} depends on the private ${name}`).toBe(false);
      expect(range, `${manifest.name} → ${name}`).toBe(versions.get(name));
    }
    // Fixed versioning (docs/releasing.md): one version for every public package.
    expect(installed.version).toBe(versions.get('@taskscope/cli'));
  });
});

test('Node imports every entry point of every installed package, and each matches the workspace build', () => {
  const results = imported;
  expect(entries.length).toBeGreaterThanOrEqual(published.length * 2);
  for (const entry of entries) {
    const result = results[entry.specifier]!;
    if (entry.kind === 'workspace') {
      // Only the workspace's source condition maps it (test helpers on the TypeScript sources).
      expect(result, entry.specifier).toEqual({ error: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
      continue;
    }
    expect(result.error, entry.specifier).toBeUndefined();
    expect(result.installed, entry.specifier).toEqual(result.workspace);
    if (entry.kind === 'js')
      expect((result.installed as string[]).length, entry.specifier).toBeGreaterThan(0);
  }
  const dashboard = results['@taskscope/dashboard']!.installed as string[];
  expect(dashboard).toEqual(['dashboardDistDir']);
});

test('the installed taskscope --help lists every command', async () => {
  const help = await run(join(consumer, 'node_modules', '.bin', 'taskscope'), ['--help'], consumer);
  expect(help).toMatch(/^Usage: taskscope /);
  for (const command of [
    'agent',
    'dashboards',
    'demo',
    'inject',
    'mock',
    'record',
    'rightsize',
    'top',
    'validate',
  ]) {
    expect(help).toMatch(new RegExp(`^  ${command} `, 'm'));
  }
  const version = await run(join(consumer, 'node_modules', '.bin', 'taskscope'), ['--version'], consumer);
  expect(version.trim()).toBe(installedManifests.get('@taskscope/cli')!.version);
});

test('a TypeScript consumer type-checks against the installed declarations with node16 and nodenext', async () => {
  const jsEntries = published.flatMap(({ manifest }) => entriesOf(manifest)).filter((e) => e.kind === 'js');
  const jsonEntries = published
    .flatMap(({ manifest }) => entriesOf(manifest))
    .filter((e) => e.kind === 'json');
  const workspaceOnly = published
    .flatMap(({ manifest }) => entriesOf(manifest))
    .filter((e) => e.kind === 'workspace');
  expect(workspaceOnly.length).toBeGreaterThan(0);
  const entryImports = [
    ...jsEntries.map((entry, i) => `import * as entry${i} from '${entry.specifier}';`),
    ...workspaceOnly.flatMap((entry, i) => [
      '// @ts-expect-error: only the workspace source condition maps this entry',
      `import * as workspaceOnly${i} from '${entry.specifier}';`,
    ]),
    `export const entries: readonly object[] = [${jsEntries.map((_, i) => `entry${i}`).join(', ')}];`,
    // A declaration importing what is not installed types its exports as any, which
    // skipLibCheck does not report: each value export (the names Node found) must not be
    // assignable to a type no real value has, else the directive is unused and tsc fails.
    'declare const nothing: unique symbol;',
    'declare function probe(value: typeof nothing): void;',
    ...jsEntries.flatMap((entry, i) => {
      const names = imported[entry.specifier]?.installed;
      if (!Array.isArray(names))
        throw new Error(
          `Node could not import ${entry.specifier}: ${JSON.stringify(imported[entry.specifier])}`,
        );
      return names.flatMap((name: string) => [
        `// @ts-expect-error: ${entry.specifier} ${name} is typed`,
        `probe(entry${i}.${name});`,
      ]);
    }),
    `export const workspaceOnly: readonly unknown[] = [${workspaceOnly.map((_, i) => `workspaceOnly${i}`).join(', ')}];`,
  ];
  // JSON needs import attributes, which TypeScript allows with module nodenext (not node16).
  const jsonImports = [
    ...jsonEntries.map((entry, i) => `import json${i} from '${entry.specifier}' with { type: 'json' };`),
    `export const documents: readonly object[] = [${jsonEntries.map((_, i) => `json${i}`).join(', ')}];`,
    "import cliManifest from '@taskscope/cli/package.json' with { type: 'json' };",
    'export const cliVersion: string = cliManifest.version;',
  ];
  const uses = `
import { createMetadataClient, type MetadataClient, MetadataTimeoutError } from '@taskscope/client';
import { startMock } from '@taskscope/mock';
import { createMetadataHandlers } from '@taskscope/mock/msw';
import { createTaskscopeClient, type Snapshot, type SnapshotContainer, SNAPSHOT_SCHEMA_ID } from '@taskscope/sdk';
import type { TaskStats } from '@taskscope/wire';

export async function cpuOf(baseUrl: string): Promise<readonly [string, number | null][]> {
  const client = createTaskscopeClient({ baseUrl, timeoutMs: 2_000 });
  const snapshot: Snapshot = await client.snapshot();
  const schema: typeof SNAPSHOT_SCHEMA_ID = snapshot.schema;
  void schema;
  return snapshot.containers.map((container: SnapshotContainer) => [container.name, container.cpu.percentOfTask]);
}

export async function taskStats(): Promise<TaskStats> {
  const client: MetadataClient = createMetadataClient({ timeoutMs: 1_000 });
  try {
    return await client.taskStats();
  } catch (error) {
    if (error instanceof MetadataTimeoutError) throw new Error(\`slow endpoint: \${error.code}\`);
    throw error;
  } finally {
    await client.close();
  }
}

export const startsMock: typeof startMock = startMock;
export const handlers: typeof createMetadataHandlers = createMetadataHandlers;

// The declarations are real types, not any: each of these must be an error.
// @ts-expect-error: a snapshot's schema is the literal taskscope.snapshot/v1
export const wrongSchema: Snapshot['schema'] = 'taskscope.snapshot/v2';
// @ts-expect-error: the metadata client takes an options object
createMetadataClient('http://169.254.170.2/v4');
`;
  await writeFile(join(consumer, 'entries.ts'), `${entryImports.join('\n')}\n`);
  await writeFile(join(consumer, 'json-entries.ts'), `${jsonImports.join('\n')}\n`);
  await writeFile(join(consumer, 'uses.ts'), uses);
  const tsconfig = (module: 'node16' | 'nodenext', files: readonly string[]) => ({
    compilerOptions: {
      module,
      moduleResolution: module,
      target: 'ES2022',
      lib: ['ES2023'],
      types: ['node'],
      strict: true,
      noEmit: true,
      // Checking every declaration file (msw's need the DOM lib) costs 4x the time; with no
      // export typed any (entries.ts) and the probes of uses.ts, resolution is what is at stake.
      skipLibCheck: true,
      resolveJsonModule: true,
      verbatimModuleSyntax: true,
    },
    files,
  });
  await writeFile(
    join(consumer, 'tsconfig.node16.json'),
    JSON.stringify(tsconfig('node16', ['entries.ts', 'uses.ts'])),
  );
  await writeFile(
    join(consumer, 'tsconfig.nodenext.json'),
    JSON.stringify(tsconfig('nodenext', ['entries.ts', 'uses.ts', 'json-entries.ts'])),
  );
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await Promise.all(
    ['tsconfig.node16.json', 'tsconfig.nodenext.json'].map((config) =>
      run(process.execPath, [tsc, '-p', config], consumer),
    ),
  );
});
