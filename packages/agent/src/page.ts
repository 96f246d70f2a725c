import type { AgentSnapshot } from './snapshot.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Container names, images and ARNs come from the endpoint: escape everything. */
function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

const formatBytes = (bytes: number | undefined): string => {
  if (bytes === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
};
const formatNumber = (value: number | undefined, digits: number): string =>
  value === undefined ? '–' : value.toFixed(digits);

/**
 * The minimal server-rendered page at `/`, until the dashboard lands: the task, one row per
 * container, links to the machine-readable paths. No script: it reloads on the learned cadence.
 */
export function renderPage(snapshot: AgentSnapshot): string {
  const { metrics, status } = snapshot;
  const refreshSeconds = Math.max(
    1,
    Math.round(
      (status.interval.mode === 'fixed'
        ? status.interval.intervalMs
        : (status.interval.cadence?.cadenceMs ?? 10_000)) / 1000,
    ),
  );
  const rows =
    metrics?.containers
      .map((container) => {
        const stats = container.stats;
        return `<tr><td>${escapeHtml(container.name)}</td><td>${escapeHtml(container.knownStatus)}</td><td>${formatNumber(
          stats?.cpu.cores,
          3,
        )}</td><td>${formatBytes(stats?.memory.workingSetBytes)}</td><td>${formatBytes(container.memoryLimitBytes)}</td><td>${formatBytes(
          stats?.blockIo?.readBytes,
        )} / ${formatBytes(stats?.blockIo?.writeBytes)}</td></tr>`;
      })
      .join('\n') ?? '';
  const networks =
    metrics?.networks
      .map(
        (network) =>
          `<tr><td>${escapeHtml(network.interface)}${network.containerName ? ` (${escapeHtml(network.containerName)})` : ''}</td><td>${formatBytes(
            network.rxBytesPerSecond,
          )}/s</td><td>${formatBytes(network.txBytesPerSecond)}/s</td></tr>`,
      )
      .join('\n') ?? '';
  const task = metrics
    ? `<p><b>${escapeHtml(metrics.identity.family)}:${escapeHtml(metrics.identity.revision)}</b> · task ${escapeHtml(
        metrics.identity.taskId,
      )} · cluster ${escapeHtml(metrics.identity.clusterName)} · ${escapeHtml(metrics.identity.launchType ?? '')} · ${formatNumber(
        metrics.limits.cpuVcpus,
        2,
      )} vCPU · ${formatBytes(metrics.limits.memoryBytes)}</p>`
    : '<p>Waiting for the first successful poll of the task metadata endpoint…</p>';
  const error = status.lastError
    ? `<p class="err">Last error (${escapeHtml(status.lastError.at)}): ${escapeHtml(status.lastError.code)} ${escapeHtml(
        status.lastError.message,
      )}</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${refreshSeconds}">
<title>taskscope</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1b1f24}
table{border-collapse:collapse;margin:1rem 0}td,th{padding:.3rem .8rem;border-bottom:1px solid #d0d7de;text-align:left}
th{background:#f6f8fa}.err{color:#b42318}code{background:#f6f8fa;padding:0 .2rem}
</style>
</head>
<body>
<h1>taskscope</h1>
${task}
${error}
<table><thead><tr><th>container</th><th>status</th><th>CPU (cores)</th><th>memory (working set)</th><th>memory limit</th><th>block I/O read / write</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<table><thead><tr><th>interface</th><th>receive</th><th>transmit</th></tr></thead>
<tbody>
${networks}
</tbody></table>
<p>Endpoint <code>${escapeHtml(status.endpoint.url)}</code> (${escapeHtml(status.endpoint.version)}) · ${status.samples.fresh} fresh samples · ${
    status.failures
  } failed polls · last fresh sample ${escapeHtml(status.lastFreshAt ?? 'none yet')}</p>
<p><a href="metrics">/metrics</a> · <a href="api/v1/snapshot">/api/v1/snapshot</a> · <a href="api/v1/stream">/api/v1/stream</a> · <a href="healthz">/healthz</a> · <a href="readyz">/readyz</a></p>
</body>
</html>
`;
}
