import { createRequire } from 'node:module';

// The package's own manifest, two levels up from both src/otlp/scope.ts and dist/otlp/scope.js
// (npm always packs package.json), so a release bumps the scope version with the package
// instead of a literal someone must remember. Read once, at import, here rather than in the
// pure translator.
const manifest = createRequire(import.meta.url)('../../package.json') as { name: string; version: string };

/** The instrumentation scope every point is reported under: this package's name and version. */
export const OTLP_SCOPE: { readonly name: string; readonly version: string } = Object.freeze({
  name: manifest.name,
  version: manifest.version,
});
