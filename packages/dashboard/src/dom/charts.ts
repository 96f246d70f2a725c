/*
 * uPlot charts: the task's larger charts (with a legend and axes) and the containers'
 * sparklines (none of either). uPlot draws on canvas and sizes its own elements through
 * CSSOM, which the page's CSP allows; it is ~50 KB minified, made for time series.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Column } from '../series.js';
import { h } from './h.js';

export interface LineSpec {
  readonly label: string;
  /** A CSS colour for canvas. */
  readonly color: string;
  readonly dashed?: boolean;
  readonly fill?: string;
}

/** Axis steps that land on round IEC figures (powers of two of B, KiB, MiB, GiB) for byte scales. */
const BYTE_INCREMENTS = [1, 1024, 1024 ** 2, 1024 ** 3, 1024 ** 4].flatMap((unit) =>
  [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((step) => step * unit),
);

/** Decimal steps for cores. */
const DECIMAL_INCREMENTS = [-3, -2, -1, 0, 1, 2].flatMap((exponent) =>
  [1, 2, 5].map((step) => step * 10 ** exponent),
);

const AXIS_COLOR = '#57606a';

/** "14:05" on a whole minute, else "14:05:30": one line per tick, so ticks never collide. */
export function clockLabel(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const minutes = `${two(date.getHours())}:${two(date.getMinutes())}`;
  return date.getSeconds() === 0 ? minutes : `${minutes}:${two(date.getSeconds())}`;
}
const GRID_COLOR = 'rgba(140, 149, 159, 0.25)';

export interface TimeChart {
  readonly element: HTMLElement;
  /** Redraws from the columns (aligned on `times`, seconds); `floor` keeps the y scale at least that tall. */
  update(times: readonly number[], columns: readonly Column[], floor: number | null): void;
}

export interface TimeChartOptions {
  readonly id: string;
  readonly title: string;
  readonly lines: readonly LineSpec[];
  readonly unit: 'bytes' | 'cores';
  /** Formats a value for the axis and the legend ("not reported" for gaps is the caller's). */
  readonly format: (value: number) => string;
  readonly heightPx?: number;
}

/** The space the larger charts take when no width has been measured yet (first layout). */
const FALLBACK_WIDTH_PX = 600;

export function timeChart(options: TimeChartOptions): TimeChart {
  const plot = h('div', { class: 'plot' });
  const element = h(
    'figure',
    { class: 'chart', attrs: { id: options.id, 'data-points': '0' } },
    h('figcaption', { text: options.title }),
    plot,
  );
  let floor: number | null = null;
  const heightPx = options.heightPx ?? 170;
  const format = (value: number | null | undefined): string =>
    value === null || value === undefined ? '–' : options.format(value);
  const chart = new uPlot(
    {
      width: FALLBACK_WIDTH_PX,
      height: heightPx,
      series: [
        {
          label: 'at',
          value: (_u: uPlot, value: number | null) => (value === null ? '–' : clockLabel(value)),
        },
        ...options.lines.map((line) => ({
          label: line.label,
          stroke: line.color,
          width: 1.5,
          ...(line.fill === undefined ? {} : { fill: line.fill }),
          ...(line.dashed ? { dash: [6, 4] } : {}),
          points: { show: false },
          // A gap is "not reported": draw it as a gap, not as a line through it.
          spanGaps: false,
          value: (_u: uPlot, value: number | null) => format(value),
        })),
      ],
      scales: {
        x: { time: true },
        y: {
          range: (_u, _min, max) => {
            const top = Math.max(max ?? 0, floor ?? 0);
            return [0, top > 0 ? top * 1.08 : 1];
          },
        },
      },
      axes: [
        {
          stroke: AXIS_COLOR,
          grid: { stroke: GRID_COLOR, width: 1 },
          ticks: { stroke: GRID_COLOR, width: 1 },
          space: 70,
          values: (_u, splits) => splits.map(clockLabel),
        },
        {
          stroke: AXIS_COLOR,
          grid: { stroke: GRID_COLOR, width: 1 },
          ticks: { stroke: GRID_COLOR, width: 1 },
          size: 86,
          incrs: options.unit === 'bytes' ? BYTE_INCREMENTS : DECIMAL_INCREMENTS,
          values: (_u, splits) => splits.map((value) => format(value)),
        },
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    },
    [[], ...options.lines.map(() => [])],
    plot,
  );
  // The chart follows its box: the phone's width, the laptop's grid column.
  const resize = new ResizeObserver((entries) => {
    const width = Math.floor(entries[0]?.contentRect.width ?? 0);
    if (width > 0 && width !== chart.width) chart.setSize({ width, height: heightPx });
  });
  resize.observe(plot);
  // Away from the cursor the legend shows the newest values rather than dashes.
  let hovering = false;
  const showNewest = () => {
    if (!hovering && chart.data[0].length > 0) chart.setLegend({ idx: chart.data[0].length - 1 });
  };
  chart.over.addEventListener('mouseenter', () => {
    hovering = true;
  });
  // Registered after uPlot's own handler, which clears the legend on leaving.
  chart.over.addEventListener('mouseleave', () => {
    hovering = false;
    showNewest();
  });
  return {
    element,
    update(times, columns, newFloor) {
      floor = newFloor;
      chart.setData([times as number[], ...(columns as Column[])] as uPlot.AlignedData);
      element.setAttribute('data-points', String(times.length));
      showNewest();
    },
  };
}

export interface Sparkline {
  readonly element: HTMLElement;
  update(times: readonly number[], column: Column, floor: number | null): void;
}

export function sparkline(color: string, label: string): Sparkline {
  const element = h('span', {
    class: 'spark',
    attrs: { role: 'img', 'aria-label': label, 'data-points': '0' },
  });
  let floor: number | null = null;
  const chart = new uPlot(
    {
      width: 120,
      height: 26,
      pxAlign: false,
      cursor: { show: false },
      legend: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      padding: [2, 0, 2, 0],
      scales: {
        x: { time: false },
        y: {
          range: (_u, _min, max) => {
            const top = Math.max(max ?? 0, floor ?? 0);
            return [0, top > 0 ? top : 1];
          },
        },
      },
      axes: [{ show: false }, { show: false }],
      series: [
        {},
        { stroke: color, width: 1.25, fill: `${color}22`, points: { show: false }, spanGaps: false },
      ],
    },
    [[], []],
    element,
  );
  return {
    element,
    update(times, column, newFloor) {
      floor = newFloor;
      chart.setData([times as number[], column] as uPlot.AlignedData);
      element.setAttribute('data-points', String(times.length));
    },
  };
}

export const COLORS = {
  cpu: '#0969da',
  memory: '#8250df',
  rx: '#1a7f37',
  tx: '#bc4c00',
  limit: '#cf222e',
} as const;
