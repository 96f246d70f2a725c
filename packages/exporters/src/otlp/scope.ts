// The package's own manifest, two levels up from both src/otlp/scope.ts and dist/otlp/scope.js
// (npm always packs package.json), so a release bumps the scope version with the package
// instead of a literal someone must remember. Imported here rather than in the pure translator,
// as JSON rather than with createRequire so that a bundler (the CLI's) inlines it.
import manifest from '../../package.json' with { type: 'json' };

/** The instrumentation scope every point is reported under: this package's name and version. */
export const OTLP_SCOPE: { readonly name: string; readonly version: string } = Object.freeze({
  name: manifest.name,
  version: manifest.version,
});
