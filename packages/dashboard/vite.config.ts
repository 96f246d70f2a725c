/*
 * The page is built into ONE file, dist/index.html, with its script and stylesheet inline:
 * the agent serves that file alone, with a CSP that hashes each inline block, so nothing
 * else may be fetched. The budget check fails the build when the page outgrows 100 KB
 * gzipped, or when anything but index.html would be emitted.
 */
import { gzipSync } from 'node:zlib';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';

/** The budget for the page's assets, gzipped. */
export const GZIP_BUDGET_BYTES = 100 * 1024;

function singleFileBudget(budgetBytes: number): Plugin {
  return {
    name: 'taskscope:single-file-budget',
    enforce: 'post',
    generateBundle: {
      // After vite-plugin-singlefile has inlined the chunks into the HTML.
      order: 'post',
      handler(_options, bundle) {
        const names = Object.keys(bundle);
        if (names.length !== 1 || names[0] !== 'index.html') {
          this.error(`the page must build to index.html alone, but the build emits: ${names.join(', ')}`);
        }
        const asset = bundle['index.html']!;
        const html = asset.type === 'asset' ? String(asset.source) : asset.code;
        // No file the page would fetch: a script or stylesheet left out of the inlining.
        const external = /<(?:script|link)\b[^>]*\b(?:src|href)="(?!data:)/i.exec(html);
        if (external) this.error(`index.html still loads a file: ${external[0]}`);
        const rawBytes = Buffer.byteLength(html);
        const gzipBytes = gzipSync(html, { level: 9 }).length;
        const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
        const line = `index.html: ${kib(gzipBytes)} gzipped (${kib(rawBytes)} raw); budget ${kib(budgetBytes)} gzipped`;
        if (gzipBytes > budgetBytes) this.error(`over budget: ${line}`);
        this.info(line);
      },
    },
  };
}

export default defineConfig({
  root: 'src',
  base: './',
  // The SDK from source, as everywhere else in the monorepo: the page never bundles a stale dist.
  resolve: { conditions: ['@taskscope/source', ...defaultClientConditions] },
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    // One entry, nothing to preload: no polyfill script in the page.
    modulePreload: false,
    reportCompressedSize: false,
  },
  plugins: [viteSingleFile({ removeViteModuleLoader: true }), singleFileBudget(GZIP_BUDGET_BYTES)],
});
