import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The built dashboard page, read once at start, with what `/` answers it with. */
export interface DashboardPage {
  readonly body: Buffer;
  /** A strong ETag: the page's SHA-256. */
  readonly etag: string;
  /** Allows the page's own inline scripts and styles (by hash), API calls to this agent, and nothing else. */
  readonly contentSecurityPolicy: string;
}

/** The `/` answer when `index.html` is not there. */
export interface MissingDashboard {
  readonly missing: string;
}

const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const INLINE_STYLE = /<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi;

/** `'sha256-…'`: the CSP source that allows exactly this inline text. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The Content-Security-Policy of a self-contained page: each inline `<script>` and `<style>`
 * allowed by the hash of its text (the build inlines them all: no script or style from a
 * file or another host runs), `fetch`/EventSource only to the agent itself, images only as
 * `data:` URLs (an inline icon), no frames, forms, plugins or `<base>`.
 */
export function dashboardCsp(html: string): string {
  const scripts = [...html.matchAll(INLINE_SCRIPT)]
    // A script with `src` loads a file: the policy allows none, so it has no hash to add.
    .filter((match) => !/\bsrc\s*=/i.test(match[1]!))
    .map((match) => cspHash(match[2]!));
  const styles = [...html.matchAll(INLINE_STYLE)].map((match) => cspHash(match[1]!));
  const sources = (hashes: string[]) => (hashes.length === 0 ? "'none'" : [...new Set(hashes)].join(' '));
  return [
    "default-src 'none'",
    `script-src ${sources(scripts)}`,
    `style-src ${sources(styles)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Reads `<dir>/index.html` (the dashboard package's single-file build) once. A missing page is
 * not an error for the agent: metrics and the API do not need it, and `/` says how to build it.
 */
export function loadDashboard(dir: string): DashboardPage | MissingDashboard {
  const path = join(dir, 'index.html');
  let body: Buffer;
  try {
    body = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    return {
      missing: `the dashboard was not built: ${path} is missing. Run \`npm run build\` (or \`npx turbo run build --filter=@taskscope/dashboard\`) and restart the agent. The API (/api/v1/snapshot, /api/v1/history, /api/v1/stream) and /metrics work without it.\n`,
    };
  }
  const html = body.toString('utf8');
  return {
    body,
    etag: `"${createHash('sha256').update(body).digest('base64url')}"`,
    contentSecurityPolicy: dashboardCsp(html),
  };
}
