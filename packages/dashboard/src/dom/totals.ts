/* The task's totals against its size, and its larger charts (CPU, memory, network). */
import { formatBytes, formatCores, formatRate } from '../format.js';
import type { TotalsView } from '../model.js';
import type { SeriesStore } from '../series.js';
import { COLORS, type TimeChart, type TimeChartOptions, timeChart } from './charts.js';
import { bar, h, setFigure, setText } from './h.js';

export interface TotalsSection {
  readonly element: HTMLElement;
  update(
    totals: TotalsView,
    series: SeriesStore,
    size: { cpuVcpus: number | null; memoryBytes: number | null },
  ): void;
}

function usageCard(title: string, field: string) {
  const text = h('div', { class: 'card-value', attrs: { 'data-field': `${field}-usage` } });
  const percent = h('span', { class: 'card-percent', attrs: { 'data-field': `${field}-percent` } });
  const meter = bar();
  const element = h(
    'div',
    { class: 'card', attrs: { 'data-card': field } },
    h('div', { class: 'card-title', text: title }),
    text,
    h('div', { class: 'card-meter' }, meter.element, percent),
  );
  return { element, text, percent, meter };
}

function pairCard(title: string, field: string, first: string, second: string) {
  const a = h('span', { attrs: { 'data-field': `${field}-${first}` } });
  const b = h('span', { attrs: { 'data-field': `${field}-${second}` } });
  const extra = h('ul', { class: 'card-list' });
  const element = h(
    'div',
    { class: 'card', attrs: { 'data-card': field } },
    h('div', { class: 'card-title', text: title }),
    h(
      'div',
      { class: 'card-pair' },
      h('span', { class: 'pair-label', text: first }),
      a,
      h('span', { class: 'pair-label', text: second }),
      b,
    ),
    extra,
  );
  return { element, a, b, extra };
}

/** A chart of what the task uses, filled in `color`, under the dashed line of its size. */
function usedOfSizeChart(options: Omit<TimeChartOptions, 'lines'>, color: string): TimeChart {
  return timeChart({
    ...options,
    lines: [
      { label: 'used', color, fill: `${color}1a` },
      { label: 'task size', color: COLORS.limit, dashed: true },
    ],
  });
}

export function totalsSection(): TotalsSection {
  const cpu = usageCard('CPU', 'task-cpu');
  const memory = usageCard('Memory (working set)', 'task-memory');
  const network = pairCard('Network', 'task-network', 'rx', 'tx');
  const disk = pairCard('Disk', 'task-disk', 'read', 'write');
  const cpuChart = usedOfSizeChart(
    { id: 'chart-cpu', title: 'CPU, cores', unit: 'cores', format: formatCores },
    COLORS.cpu,
  );
  const memoryChart = usedOfSizeChart(
    { id: 'chart-memory', title: 'Memory, working set', unit: 'bytes', format: formatBytes },
    COLORS.memory,
  );
  const networkChart = timeChart({
    id: 'chart-network',
    title: 'Network, per second',
    unit: 'bytes',
    format: (value) => formatRate(value),
    lines: [
      { label: 'rx', color: COLORS.rx },
      { label: 'tx', color: COLORS.tx },
    ],
  });
  const element = h(
    'section',
    { class: 'task', attrs: { 'aria-labelledby': 'task-heading' } },
    h('h2', { text: 'Task', attrs: { id: 'task-heading' } }),
    h('div', { class: 'cards' }, cpu.element, memory.element, network.element, disk.element),
    h('div', { class: 'charts' }, cpuChart.element, memoryChart.element, networkChart.element),
  );
  let interfaceKey = '';
  return {
    element,
    update(totals, series, size) {
      setText(cpu.text, totals.cpu.text);
      setFigure(cpu.percent, totals.cpu.percent);
      cpu.meter.set(totals.cpu.percent.value, totals.cpu.percent.level);
      setText(memory.text, totals.memory.text);
      setFigure(memory.percent, totals.memory.percent);
      memory.meter.set(totals.memory.percent.value, totals.memory.percent.level);
      setFigure(network.a, totals.networkRx);
      setFigure(network.b, totals.networkTx);
      setFigure(disk.a, totals.diskRead);
      setFigure(disk.b, totals.diskWrite);
      // One line per interface when there is more than one (bridge, or awsvpc with several).
      const shown = totals.interfaces.length > 1 ? totals.interfaces : [];
      const key = shown.map((i) => `${i.name} ${i.rx.text} ${i.tx.text}`).join('\n');
      if (key !== interfaceKey) {
        interfaceKey = key;
        network.extra.replaceChildren(
          ...shown.map((i) =>
            h('li', {}, h('span', { class: 'if-name', text: i.name }), ` rx ${i.rx.text} · tx ${i.tx.text}`),
          ),
        );
      }
      const times = series.times;
      const constant = (value: number | null) => times.map(() => value);
      cpuChart.update(times, [series.task.cpuCores, constant(size.cpuVcpus)], size.cpuVcpus);
      memoryChart.update(times, [series.task.memoryBytes, constant(size.memoryBytes)], size.memoryBytes);
      networkChart.update(
        times,
        [series.task.networkRxBytesPerSecond, series.task.networkTxBytesPerSecond],
        null,
      );
    },
  };
}
