import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_QUIET_FLAGS, requireChromium } from '@taskscope/test-support';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Screenshots the dashboard tests keep (gitignored): look at them after a run. */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../artifacts/', import.meta.url));

/** Debian's Chromium, driven by playwright-core without a browser download, kept from calling home. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireChromium(),
    headless: true,
    args: [...CHROMIUM_QUIET_FLAGS],
  });
}

/** What a page did that a test asserts on: every request and every console error. */
export interface PageRecorder {
  readonly page: Page;
  readonly requests: string[];
  readonly errors: string[];
}

export async function openPage(
  browser: Browser,
  viewport: { readonly width: number; readonly height: number },
): Promise<PageRecorder> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    errors.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
  );
  return { page, requests, errors };
}

export function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return `${ARTIFACTS_DIR}${name}.png`;
}

/** One container as the page shows it: each figure's text (no-break spaces as spaces). */
export interface ShownContainer {
  readonly name: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface ShownDashboard {
  /** The `id` (newest read, ms) of the snapshot on screen; NaN before the first. */
  readonly sampleId: number;
  readonly pollLevel: string;
  readonly containers: readonly ShownContainer[];
  /** Task-level figures by data-field. */
  readonly task: Readonly<Record<string, string>>;
  readonly chartPoints: Readonly<Record<string, number>>;
}

/**
 * Reads the page in one evaluation, so every figure comes from the same render (the page
 * cannot update between two reads).
 */
export function readDashboard(page: Page): Promise<ShownDashboard> {
  return page.evaluate(() => {
    const text = (element: Element | null) => (element?.textContent ?? '').replaceAll('\u00a0', ' ').trim();
    const app = document.getElementById('app')!;
    const containers = [...document.querySelectorAll('tr[data-container]')].map((row) => {
      const fields: Record<string, string> = {};
      for (const element of row.querySelectorAll('[data-field]')) {
        fields[element.getAttribute('data-field')!] = text(element);
      }
      return { name: row.getAttribute('data-container')!, fields };
    });
    const task: Record<string, string> = {};
    for (const element of document.querySelectorAll('header [data-field], section.task [data-field]')) {
      task[element.getAttribute('data-field')!] = text(element);
    }
    const chartPoints: Record<string, number> = {};
    for (const chart of document.querySelectorAll('figure.chart')) {
      chartPoints[chart.id] = Number(chart.getAttribute('data-points'));
    }
    return {
      sampleId: Number(app.getAttribute('data-sample-id') || Number.NaN),
      pollLevel: app.getAttribute('data-poll-level') ?? '',
      containers,
      task,
      chartPoints,
    };
  });
}

const IEC: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/**
 * A figure as a reader takes it: "312 MiB" or "420 KiB/s" → bytes, "0.412" → 0.412, with
 * `step`, the value of one unit of its last digit: the most the display can round away is
 * half of it.
 */
export function parseFigure(shown: string): { readonly value: number; readonly step: number } {
  const match = /^(-?\d+(?:\.(\d+))?)(?: ([KMGT]?i?B)(?:\/s)?)?$/.exec(shown);
  if (!match) throw new Error(`not a figure: ${JSON.stringify(shown)}`);
  const unit = match[3] === undefined ? 1 : IEC[match[3]];
  if (unit === undefined) throw new Error(`unknown unit in ${JSON.stringify(shown)}`);
  const decimals = match[2]?.length ?? 0;
  return { value: Number(match[1]) * unit, step: 10 ** -decimals * unit };
}

/**
 * Waits until the page's poll badge reads `level`. The badge follows the age of the newest
 * sample, so on a loaded machine it may read "stale" for a moment when the agent was starved
 * for a few refreshes: the page is right to say so, and a test waits for the state it checks.
 */
export async function waitForPollLevel(page: Page, level: string, timeoutMs = 15_000): Promise<void> {
  const reached = await page.waitForFunction(
    (wanted) => document.getElementById('app')?.getAttribute('data-poll-level') === wanted,
    level,
    { timeout: timeoutMs },
  );
  await reached.dispose();
}
