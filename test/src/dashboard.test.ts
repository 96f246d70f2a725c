import { type History, HistorySchema, type Snapshot, SnapshotSchema } from '@taskscope/sdk';
import { waitFor } from '@taskscope/test-support';
import type { Browser, Page } from 'playwright-core';
import * as v from 'valibot';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  launchChromium,
  openPage,
  type PageRecorder,
  parseFigure,
  readDashboard,
  type ShownDashboard,
  screenshotPath,
  waitForPollLevel,
} from './helpers/browser.js';
import { ec2BridgeTask, HEALTHY_WEB } from './helpers/ec2-scenario.js';
import { type Stack, sameInterval, startStack } from './helpers/stack.js';

/*
 * Issue #11, the live dashboard at `/`, in a real headless Chromium (Debian's, driven by
 * playwright-core) against the mock and an in-process agent over loopback: every container
 * shows, the figures on screen equal the mock's truth for the sample on screen, the page
 * follows the stream (DOM changes on each fresh sample, the history charts grow), it works
 * behind --auth-token as /?token=, it asks no other host for anything and logs no error, and
 * a phone gets cards without sideways scrolling. Screenshots go to test/artifacts/.
 */

/** The tolerance of the other e2e tests (scenarios.test.ts): 1 % of the truth… */
const RELATIVE = 0.01;
/** …and a byte per 1000 s for rates of 0. */
const ABSOLUTE = 1e-3;

/**
 * Bridge networking (a network per container) and health checks whose state holds from the
 * start, so the health on screen cannot be caught mid-change (ec2-bridge's flips at 8 s).
 */
const BRIDGE_SCENARIO = {
  name: 'dashboard-bridge',
  description: 'Three containers on EC2 bridge networking: healthy, unhealthy and unchecked.',
  ...ec2BridgeTask('shop', 7, 'eu-west-1'),
  containers: [
    {
      ...HEALTHY_WEB,
      load: {
        cpuCores: { sine: { mean: 0.12, amplitude: 0.05, period: '1m' }, noise: 0.01 },
        memoryWorkingSetBytes: { constant: '38MiB', noise: '1MiB' },
        networkRxBytesPerSecond: { constant: '180KiB', noise: '20KiB' },
        networkTxBytesPerSecond: { constant: '1.1MiB', noise: '60KiB' },
        diskWriteBytesPerSecond: { constant: '4KiB' },
      },
    },
    {
      name: 'api',
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api:3.2.1',
      memory: 1024,
      health: [{ after: '0ms', status: 'UNHEALTHY', exitCode: 1, output: 'db unreachable' }],
      load: {
        cpuCores: { sine: { mean: 0.6, amplitude: 0.2, period: '1m' }, noise: 0.03 },
        memoryWorkingSetBytes: { constant: '610MiB', noise: '8MiB' },
        networkRxBytesPerSecond: { constant: '900KiB', noise: '50KiB' },
        networkTxBytesPerSecond: { constant: '240KiB', noise: '20KiB' },
        diskReadBytesPerSecond: { constant: '64KiB', noise: '8KiB' },
        diskWriteBytesPerSecond: { constant: '128KiB', noise: '16KiB' },
      },
    },
    {
      name: 'taskscope',
      image: 'ghcr.io/taskscope/taskscope:0.1.0',
      memory: 128,
      load: {
        cpuCores: { constant: 0.01 },
        memoryWorkingSetBytes: { constant: '52MiB' },
        networkRxBytesPerSecond: { constant: '2KiB' },
        networkTxBytesPerSecond: { constant: '8KiB' },
      },
    },
  ],
};

const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let browser: Browser;
let stack: Stack | undefined;
let opened: PageRecorder | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await opened?.page.context().close();
  opened = undefined;
  await stack?.stop();
  stack = undefined;
});

async function getV1<T>(url: string, schema: v.GenericSchema<unknown, T>, token?: string): Promise<T> {
  const response = await fetch(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  expect(response.status, `GET ${url}`).toBe(200);
  return v.parse(schema, await response.json());
}

/** The agent has sent `count` fresh samples, so rates come from two payloads it read itself. */
async function freshSamples(current: Stack, count: number, token?: string): Promise<Snapshot> {
  return waitFor(`${count} fresh samples`, async () => {
    const snapshot = await getV1(`${current.agent.url}api/v1/snapshot`, SnapshotSchema, token);
    return snapshot.poll.samples.fresh >= count ? snapshot : undefined;
  });
}

/** `shown` reads as `truth` within the e2e tolerance plus what the display rounds away. */
function closeTo(shown: string | undefined, truth: number, what: string): void {
  expect(shown, `${what} is on the page`).toBeTypeOf('string');
  const { value, step } = parseFigure(shown!);
  expect(
    Math.abs(value - truth),
    `${what}: the page shows ${shown} (${value}), the truth is ${truth}`,
  ).toBeLessThanOrEqual(RELATIVE * Math.abs(truth) + step / 2 + ABSOLUTE);
}

/**
 * The page and the mock's truth for the same sample: reads both until the sample on screen
 * is the refresh the truth describes (its newest `read`), re-reading the truth after the page
 * so a refresh landing in between is caught.
 */
async function shownWithTruth(current: Stack, page: Page) {
  return waitFor(
    'the page to show the refresh the mock truth describes',
    async () => {
      const truth = await current.truth();
      const shown = await readDashboard(page);
      if (!(Math.abs(shown.sampleId - truth.readAtMs) < 1)) return undefined;
      // The agent's latest poll is the refresh on screen, its rates over the truth's interval
      // (not over two, when a loaded machine starved it past one refresh).
      const metrics = current.agent.store.latest();
      if (metrics === undefined || Math.abs((metrics.sample.readAtMs ?? 0) - truth.readAtMs) > 0.001)
        return undefined;
      if (!sameInterval(metrics, truth)) return undefined;
      const again = await current.truth();
      if (again.readAtMs !== truth.readAtMs) return undefined;
      return { shown, truth };
    },
    { timeoutMs: 30_000, intervalMs: 25 },
  );
}

function containerNames(shown: ShownDashboard): string[] {
  return shown.containers.map((c) => c.name).sort();
}

describe('the dashboard on a laptop (1280×800), fargate-web', () => {
  test('shows every container with the mock truth, updates live from the stream, and grows its charts', async () => {
    stack = await startStack({ scenario: 'fargate-web', cadenceMs: 1000, flags: { interval: '200ms' } });
    const current = stack;
    await freshSamples(current, 3);
    const history = await getV1<History>(`${current.agent.url}api/v1/history`, HistorySchema);
    expect(history.snapshots.length).toBeGreaterThanOrEqual(3);

    opened = await openPage(browser, LAPTOP);
    const { page, requests, errors } = opened;
    await page.goto(current.agent.url);

    // Seeded from /api/v1/history: the charts start with the agent's past, not empty.
    const seeded = await page.waitForFunction(
      (count) => Number(document.querySelector('#chart-cpu')?.getAttribute('data-points')) >= count,
      history.snapshots.length,
    );
    await seeded.dispose();

    const { shown, truth } = await shownWithTruth(current, page);
    expect(containerNames(shown)).toEqual(truth.containers.map((c) => c.name).sort());
    for (const t of truth.containers) {
      const row = shown.containers.find((c) => c.name === t.name)!;
      closeTo(row.fields['cpuCores'], t.cpuCores, `${t.name} CPU cores`);
      closeTo(row.fields['memoryWorkingSet'], t.memoryWorkingSetBytes, `${t.name} memory working set`);
      closeTo(row.fields['diskRead'], t.blockIoReadBytesPerSecond, `${t.name} disk read`);
      closeTo(row.fields['diskWrite'], t.blockIoWriteBytesPerSecond, `${t.name} disk write`);
      expect(row.fields['state']).toBe('running');
      expect(row.fields['health']).toBe(t.health === undefined ? 'no check' : t.health.status.toLowerCase());
    }
    // awsvpc: the network is the task's, and the table has no per-container network.
    closeTo(
      shown.task['task-network-rx'],
      truth.networks.reduce((sum, n) => sum + n.rxBytesPerSecond, 0),
      'task network rx',
    );
    closeTo(
      shown.task['task-network-tx'],
      truth.networks.reduce((sum, n) => sum + n.txBytesPerSecond, 0),
      'task network tx',
    );
    closeTo(
      shown.task['task-cpu-usage']!.split(' of ')[0],
      truth.containers.reduce((sum, t) => sum + t.cpuCores, 0),
      'task CPU cores',
    );
    expect(await page.locator('th.col-net').isVisible()).toBe(false);
    expect(shown.task['title']).toBe('web:42');
    expect(shown.task['launchType']).toBe('FARGATE');
    expect(shown.task['size']).toBe('1 vCPU · 2 GiB');
    // The agent's cost meter: 1 vCPU and 2 GiB at us-east-1's on-demand rates, $0.04937 an hour.
    expect(shown.task['cost']).toMatch(/^\$0\.0494\/h · \$0\.\d{4} so far$/);
    await waitForPollLevel(page, 'live');

    // Live: the next fresh sample changes the page without a reload, and the charts grow.
    const before = await readDashboard(page);
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    const changed = await page.waitForFunction(
      (id) => Number(document.getElementById('app')?.getAttribute('data-sample-id')) > id,
      before.sampleId,
    );
    await changed.dispose();
    const after = await readDashboard(page);
    expect(after.sampleId).toBeGreaterThan(before.sampleId);
    for (const chart of ['chart-cpu', 'chart-memory', 'chart-network']) {
      expect(after.chartPoints[chart], chart).toBeGreaterThan(before.chartPoints[chart]!);
    }
    expect(navigations).toEqual([]);
    // And it still matches the truth of the sample it now shows.
    const later = await shownWithTruth(current, page);
    const app = later.truth.containers.find((c) => c.name === 'app')!;
    closeTo(
      later.shown.containers.find((c) => c.name === 'app')!.fields['cpuCores'],
      app.cpuCores,
      'app CPU cores, a later sample',
    );

    await page.screenshot({ path: screenshotPath('dashboard-laptop'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);

    const origin = new URL(current.agent.url).origin;
    const elsewhere = requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
    expect(elsewhere, 'requests to another host').toEqual([]);
    // The page loads itself and talks to the API, nothing else.
    expect(
      requests
        .filter((url) => !url.startsWith('data:'))
        .map((url) => new URL(url).pathname)
        .sort(),
    ).toEqual(expect.arrayContaining(['/', '/api/v1/history', '/api/v1/snapshot', '/api/v1/stream']));
    expect(errors).toEqual([]);
  });

  test('the container table sorts by a header click, and by the keyboard', async () => {
    stack = await startStack({ scenario: 'fargate-web', cadenceMs: 1000, flags: { interval: '200ms' } });
    const current = stack;
    await freshSamples(current, 2);
    opened = await openPage(browser, LAPTOP);
    const { page, errors } = opened;
    await page.goto(current.agent.url);
    await page.locator('tr[data-container]').first().waitFor();

    /** The rows' names and a column's figures, from one render. */
    const rowsBy = (field: string) =>
      page.evaluate((name) => {
        const rows = [...document.querySelectorAll('tr[data-container]')];
        return rows.map((row) => ({
          name: row.getAttribute('data-container')!,
          shown: (row.querySelector(`[data-field="${name}"]`)?.textContent ?? '').replaceAll('\u00a0', ' '),
        }));
      }, field);
    const figureOf = (shown: string) => parseFigure(shown).value;

    // The first click on Memory sorts the biggest first; the header says so (aria-sort).
    await page.getByRole('button', { name: 'Memory', exact: true }).click();
    const memory = await rowsBy('memoryWorkingSet');
    const memoryValues = memory.map((r) => figureOf(r.shown));
    expect(memoryValues).toEqual([...memoryValues].sort((a, b) => b - a));
    expect(await page.locator('th.col-mem').getAttribute('aria-sort')).toBe('descending');

    // Keyboard: Tab reaches the Container header, Enter sorts A→Z, Space reverses it.
    const nameHeader = page.locator('button[data-sort="name"]');
    await nameHeader.focus();
    await page.keyboard.press('Enter');
    expect((await rowsBy('name')).map((r) => r.name)).toEqual(['app', 'taskscope', 'worker']);
    expect(await page.locator('thead th.col-name').getAttribute('aria-sort')).toBe('ascending');
    await page.keyboard.press('Space');
    expect((await rowsBy('name')).map((r) => r.name)).toEqual(['worker', 'taskscope', 'app']);
    expect(await page.locator('thead th.col-name').getAttribute('aria-sort')).toBe('descending');

    // The order holds across the next sample (rows are kept, not rebuilt in the default order).
    const id = (await readDashboard(page)).sampleId;
    const next = await page.waitForFunction(
      (shownId) => Number(document.getElementById('app')?.getAttribute('data-sample-id')) > shownId,
      id,
    );
    await next.dispose();
    expect((await rowsBy('name')).map((r) => r.name)).toEqual(['worker', 'taskscope', 'app']);
    expect(errors).toEqual([]);
  });
});

describe('the dashboard on a phone (390×844), bridge networking', () => {
  test('every container is a card with its own network, and nothing scrolls sideways', async () => {
    stack = await startStack({ scenario: BRIDGE_SCENARIO, cadenceMs: 1000, flags: { interval: '200ms' } });
    const current = stack;
    await freshSamples(current, 3);
    opened = await openPage(browser, PHONE);
    const { page, requests, errors } = opened;
    await page.goto(current.agent.url);

    const { shown, truth } = await shownWithTruth(current, page);
    expect(containerNames(shown)).toEqual(['api', 'taskscope', 'web']);
    expect(containerNames(shown)).toEqual(truth.containers.map((c) => c.name).sort());
    for (const t of truth.containers) {
      const row = shown.containers.find((c) => c.name === t.name)!;
      closeTo(row.fields['cpuCores'], t.cpuCores, `${t.name} CPU cores`);
      closeTo(row.fields['memoryWorkingSet'], t.memoryWorkingSetBytes, `${t.name} memory working set`);
      // bridge: each container has its own namespace, shown in its card.
      closeTo(row.fields['networkRx'], t.networkRxBytesPerSecond!, `${t.name} network rx`);
      closeTo(row.fields['networkTx'], t.networkTxBytesPerSecond!, `${t.name} network tx`);
      expect(row.fields['health'], `${t.name} health`).toBe(
        t.health === undefined ? 'no check' : t.health.status.toLowerCase(),
      );
    }

    // Cards: the header row is out of sight, the sort select takes its place, every row is
    // as wide as the table, and no element pushes the page wider than the screen.
    // (visually hidden, 1 px clipped, so a screen reader still has the column names)
    const thead = await page.locator('thead').boundingBox();
    expect(thead!.width * thead!.height).toBeLessThanOrEqual(1);
    expect(await page.locator('select[data-sort-select]').isVisible()).toBe(true);
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth,
      rowWidths: [...document.querySelectorAll('tr[data-container]')].map(
        (row) => row.getBoundingClientRect().width,
      ),
      tableWidth: document.querySelector('table.containers')!.getBoundingClientRect().width,
    }));
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
    for (const width of layout.rowWidths) expect(width).toBeCloseTo(layout.tableWidth, 0);

    // The select sorts too.
    await page.locator('select[data-sort-select]').selectOption('name');
    const names = await page.evaluate(() =>
      [...document.querySelectorAll('tr[data-container]')].map((row) => row.getAttribute('data-container')),
    );
    expect(names).toEqual([...names].sort());

    await page.screenshot({ path: screenshotPath('dashboard-phone'), fullPage: true });
    const origin = new URL(current.agent.url).origin;
    expect(requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('behind --auth-token', () => {
  const TOKEN = 'dashboard-e2e-token';

  /** fargate-web behind TOKEN, and a laptop-sized page that has not loaded anything yet. */
  async function startBehindToken() {
    stack = await startStack({
      scenario: 'fargate-web',
      cadenceMs: 1000,
      flags: { interval: '200ms', authToken: TOKEN },
    });
    opened = await openPage(browser, LAPTOP);
    return { current: stack, ...opened };
  }

  test('opened as /?token=, the page takes the token out of the address and sends it as a Bearer header', async () => {
    const { current, page, errors } = await startBehindToken();
    await freshSamples(current, 2, TOKEN);
    const apiHeaders: { path: string; authorization: string | undefined }[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/')) {
        apiHeaders.push({ path: url.pathname, authorization: request.headers()['authorization'] });
      }
    });
    await page.goto(`${current.agent.url}?token=${TOKEN}`);
    await page.locator('tr[data-container]').first().waitFor();

    expect(page.url()).toBe(current.agent.url);
    expect(await page.evaluate(() => location.search)).toBe('');
    const shown = await readDashboard(page);
    expect(shown.containers.length).toBe(3);
    await waitForPollLevel(page, 'live');
    expect(apiHeaders.map((h) => h.path)).toEqual(
      expect.arrayContaining(['/api/v1/history', '/api/v1/snapshot', '/api/v1/stream']),
    );
    for (const { path, authorization } of apiHeaders) expect(authorization, path).toBe(`Bearer ${TOKEN}`);
    expect(errors).toEqual([]);
  });

  test('an API call the agent refuses (401) shows what to do instead of figures', async () => {
    const { current, page } = await startBehindToken();
    // The page is served for the right token, but its API calls go out without it: what a
    // page sees when the agent restarted with another token.
    await page.route('**/api/v1/**', (route) => {
      const { authorization: _dropped, ...headers } = route.request().headers();
      return route.continue({ headers });
    });
    await page.goto(`${current.agent.url}?token=${TOKEN}`);
    const banner = page.locator('[data-field="banner"]');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('The agent refused the request (401)');
    expect(await banner.textContent()).toContain('/?token=TOKEN');
    expect(await page.locator('[data-field="poll-level"]').textContent()).toBe('token needed');
    expect(await page.locator('tr[data-container]').count()).toBe(0);
  });
});
