import { accessSync, constants } from 'node:fs';

/**
 * The path of a program a test drives, or an error naming the Debian package that provides
 * it. These tests fail rather than skip: a green run without Prometheus would prove nothing
 * about Prometheus (.ci/run installs the packages).
 */
export function requireBinary(name: string, aptPackage: string, candidates = [`/usr/bin/${name}`]): string {
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // try the next candidate
    }
  }
  throw new Error(
    `${name} is not installed (looked in ${candidates.join(', ')}); install the Debian package "${aptPackage}": apt-get install -y --no-install-recommends ${aptPackage}`,
  );
}
