import { requireBinary } from './binaries.js';

/**
 * Debian's Chromium (`.ci/run` installs it), which the browser tests drive without a browser
 * download.
 */
export function requireChromium(): string {
  return requireBinary('chromium', 'chromium');
}

/**
 * The flags of docs/research toolchain.md §6 that keep Chromium from calling home: no background
 * networking, component updates, sync or QUIC, so every request a page makes is one the page
 * asked for; no sandbox and no GPU, which a container has neither of. Headless is the caller's
 * choice (a flag for a spawned Chromium, an option for playwright).
 */
export const CHROMIUM_QUIET_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
