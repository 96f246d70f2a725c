// Bundles the built CLI (dist/bin.js) and its production dependencies into bundle/: the
// Docker image's runtime payload (packages/cli/README.md, "The bundle"). Runs after tsc, so
// it reads the same JavaScript that is published, and follows its source maps back to src/.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(packageDir, 'bundle');
rmSync(outdir, { recursive: true, force: true });

const result = await build({
  absWorkingDir: packageDir,
  entryPoints: { bin: 'dist/bin.js' },
  outdir,
  bundle: true,
  // Every dynamic import() stays a separate chunk, loaded when it runs: the commands
  // (commands/index.ts) and the OpenTelemetry SDK (exporters' otlp/lazy.ts), which an agent
  // without the otlp exporter never loads.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Flat: bin.mjs and its chunks side by side. `.mjs`, so node reads them as ES modules
  // wherever they are copied, with no package.json saying `"type": "module"` above them
  // (without one, node 20.18 fails on them, and later versions parse each file twice).
  chunkNames: '[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // A separate .map next to each file, for debugging (`node --enable-source-maps`); node does
  // not read it unless asked, so it costs nothing at run time.
  sourcemap: 'linked',
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // The CommonJS dependencies (commander, pino, undici, prom-client…) call require() for
  // node's built-in modules; ESM has no require, so each file gets one.
  banner: {
    js: "import { createRequire as __taskscopeCreateRequire } from 'node:module';\nconst require = __taskscopeCreateRequire(import.meta.url);",
  },
});

// @taskscope/dashboard's index.js finds the built page at `new URL('./dist/', import.meta.url)`,
// which in the bundle is next to the output file that holds that module: the page goes there.
const dashboardIndex = fileURLToPath(import.meta.resolve('@taskscope/dashboard'));
const holder = Object.entries(result.metafile.outputs).find(
  ([file, output]) =>
    !file.endsWith('.map') &&
    Object.keys(output.inputs).some((input) => join(packageDir, input) === dashboardIndex),
);
if (!holder) throw new Error(`no output file holds ${dashboardIndex}`);
cpSync(join(dirname(dashboardIndex), 'dist'), join(packageDir, dirname(holder[0]), 'dist'), {
  recursive: true,
});

// The licences of the third-party code the bundle carries (MIT, ISC, Apache-2.0, BSD keep
// their notices with every copy).
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) packages.set(match[1], true);
}
const notices = [...packages.keys()].sort().map((dir) => {
  const absolute = join(packageDir, dir);
  const manifest = JSON.parse(readFileSync(join(absolute, 'package.json'), 'utf8'));
  const licenceFile = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE'].find((name) =>
    existsSync(join(absolute, name)),
  );
  const text = licenceFile
    ? readFileSync(join(absolute, licenceFile), 'utf8').trim()
    : `License: ${manifest.license}`;
  return `${manifest.name}@${manifest.version} (${manifest.license})\n\n${text}\n`;
});
writeFileSync(join(outdir, 'THIRD_PARTY_LICENSES.txt'), notices.join(`\n${'-'.repeat(72)}\n\n`));

// Which output file holds which third-party packages: the tests and the benchmark read it.
// In dist/, not bundle/: it is not part of what runs.
const contents = Object.fromEntries(
  Object.entries(result.metafile.outputs)
    .filter(([file]) => !file.endsWith('.map'))
    .map(([file, output]) => [
      relative(outdir, join(packageDir, file)),
      [
        ...new Set(
          Object.keys(output.inputs).flatMap((input) => {
            const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
            return match ? [match[1]] : [];
          }),
        ),
      ].sort(),
    ]),
);
writeFileSync(join(packageDir, 'dist', 'bundle-contents.json'), `${JSON.stringify(contents, null, 2)}\n`);
const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => !file.endsWith('.map'))
  .reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(`bundle: ${relative(packageDir, outdir)}/ ${(bytes / 2 ** 20).toFixed(1)} MiB of JavaScript`);
