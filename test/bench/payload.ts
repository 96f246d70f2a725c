import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixed, table } from './measure.js';

/*
 * Issue #14's runtime payload: what the image adds on top of Node, since every Fargate task
 * start pulls it afresh. The bundle (packages/cli/bundle/: JavaScript, source maps, the
 * dashboard page, licences; no node_modules) against the unbundled install measured the same
 * way: the CLI's production dependency closure as package-lock.json resolves it (what
 * `npm ci --omit=dev` installs, dependencies and required peers, not dev or optional peers),
 * third-party packages whole and the workspace packages as they are packed (their `files`).
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLE_DIR = join(ROOT, 'packages/cli/bundle');
const GOAL_BYTES = 15 * 2 ** 20;

interface LockEntry {
  readonly name?: string;
  readonly link?: boolean;
  readonly resolved?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** Bytes of the regular files under `path` (a file or a directory), symlinks and `skip` excluded. */
function bytesUnder(path: string, skip: (name: string) => boolean = () => false): number {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat || stat.isSymbolicLink()) return 0;
  if (stat.isFile()) return stat.size;
  if (!stat.isDirectory()) return 0;
  let total = 0;
  for (const name of readdirSync(path)) if (!skip(name)) total += bytesUnder(join(path, name), skip);
  return total;
}

/** Where npm's resolution finds `name` from the package installed at `from` (a lockfile key). */
function resolveFrom(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  for (let base = from; ; ) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** The production closure of `workspace` (e.g. `packages/cli`), as lockfile locations. */
export function productionClosure(
  lockfile: { packages: Record<string, LockEntry> },
  workspace: string,
): string[] {
  const { packages } = lockfile;
  const seen = new Set<string>();
  const visit = (location: string) => {
    const entry = packages[location];
    if (!entry) return;
    if (entry.link && entry.resolved) return visit(entry.resolved);
    if (seen.has(location)) return;
    seen.add(location);
    const names = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((n) => !entry.peerDependenciesMeta?.[n]?.optional),
    ];
    for (const name of names) {
      const found = resolveFrom(packages, location, name);
      if (found) visit(found);
    }
  };
  visit(workspace);
  return [...seen];
}

/** Bytes of one installed package: a workspace package as packed (its `files`), else whole. */
function installedBytes(location: string): number {
  const dir = join(ROOT, location);
  if (location.includes('node_modules/')) return bytesUnder(dir, (name) => name === 'node_modules');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { files?: string[] };
  return (
    bytesUnder(join(dir, 'package.json')) +
    (manifest.files ?? []).reduce((sum, file) => sum + bytesUnder(join(dir, file)), 0)
  );
}

export interface PayloadFigures {
  readonly bundleJsBytes: number;
  readonly bundleMapBytes: number;
  readonly bundleOtherBytes: number;
  readonly chunks: number;
  readonly unbundledBytes: number;
  readonly unbundledPackages: number;
  readonly openTelemetryBytes: number;
}

export function measurePayload(): PayloadFigures {
  let bundleJsBytes = 0;
  let bundleMapBytes = 0;
  let bundleOtherBytes = 0;
  let chunks = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isDirectory()) walk(path);
      else if (name.endsWith('.map')) bundleMapBytes += stat.size;
      else if (name.endsWith('.mjs')) {
        bundleJsBytes += stat.size;
        chunks += 1;
      } else bundleOtherBytes += stat.size;
    }
  };
  walk(BUNDLE_DIR);
  const lockfile = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const closure = productionClosure(lockfile, 'packages/cli');
  const sizes = closure.map((location) => ({ location, bytes: installedBytes(location) }));
  return {
    bundleJsBytes,
    bundleMapBytes,
    bundleOtherBytes,
    chunks,
    unbundledBytes: sizes.reduce((sum, s) => sum + s.bytes, 0),
    unbundledPackages: closure.length,
    openTelemetryBytes: sizes
      .filter((s) => s.location.includes('node_modules/@opentelemetry/'))
      .reduce((sum, s) => sum + s.bytes, 0),
  };
}

/** Prints the payload table (a second: file sizes only). */
export function runPayloadBench(log: (line: string) => void = console.log): void {
  const f = measurePayload();
  const mb = (bytes: number) => fixed(bytes / 2 ** 20, 1);
  const bundleBytes = f.bundleJsBytes + f.bundleMapBytes + f.bundleOtherBytes;
  log(
    '\nIssue #14: runtime payload, what the image adds on top of Node (MB = MiB); the bundle needs no node_modules',
  );
  log(
    table(
      ['figure', 'MB', 'goal', ''],
      [
        [`bundle: JavaScript (bin.mjs + ${f.chunks - 1} chunks)`, mb(f.bundleJsBytes), '', ''],
        ['bundle: source maps (for debugging; not read at run time)', mb(f.bundleMapBytes), '', ''],
        ['bundle: dashboard page, licences', mb(f.bundleOtherBytes), '', ''],
        [
          'runtime payload from the bundle (all of the above)',
          mb(bundleBytes),
          `≤ ${mb(GOAL_BYTES)}`,
          bundleBytes <= GOAL_BYTES ? 'MET' : 'NOT MET',
        ],
        [
          `unbundled: production install of @taskscope/cli (${f.unbundledPackages} packages)`,
          mb(f.unbundledBytes),
          '',
          '',
        ],
        ['  of which @opentelemetry/*', mb(f.openTelemetryBytes), '', ''],
      ],
    ),
  );
}
