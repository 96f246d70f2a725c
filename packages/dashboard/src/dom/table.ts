/*
 * The container table: one row per container, kept between samples (matched by name) so
 * sparklines, focus and scroll survive an update. Sorting is by header buttons (a click or
 * Enter/Space: they are real buttons) with aria-sort on the column; on a narrow screen the
 * rows become cards and a select takes the headers' place.
 */
import type { Snapshot } from '@taskscope/sdk';
import {
  type ContainerRowView,
  containerRow,
  type SortKey,
  type SortOrder,
  showsContainerNetwork,
  sortRows,
} from '../model.js';
import type { SeriesStore } from '../series.js';
import { COLORS, type Sparkline, sparkline } from './charts.js';
import { bar, h, setFigure, setText } from './h.js';

export interface ContainerTable {
  readonly element: HTMLElement;
  update(snapshot: Snapshot, series: SeriesStore): void;
}

const SORT_LABELS: Record<SortKey, string> = {
  name: 'name',
  state: 'state',
  cpu: 'CPU',
  memory: 'memory',
  memoryPercent: 'memory % of limit',
  network: 'network',
  disk: 'disk',
  restarts: 'restarts',
};

interface Column {
  readonly label: string;
  readonly class: string;
  readonly sorts: readonly { key: SortKey; text: string }[];
}

const COLUMNS: readonly Column[] = [
  { label: 'Container', class: 'col-name', sorts: [{ key: 'name', text: 'Container' }] },
  { label: 'State', class: 'col-state', sorts: [{ key: 'state', text: 'State' }] },
  { label: 'CPU', class: 'col-cpu', sorts: [{ key: 'cpu', text: 'CPU' }] },
  {
    label: 'Memory',
    class: 'col-mem',
    sorts: [
      { key: 'memory', text: 'Memory' },
      { key: 'memoryPercent', text: '% of limit' },
    ],
  },
  { label: 'Network', class: 'col-net', sorts: [{ key: 'network', text: 'Network' }] },
  { label: 'Disk', class: 'col-disk', sorts: [{ key: 'disk', text: 'Disk' }] },
  { label: 'Restarts', class: 'col-restarts', sorts: [{ key: 'restarts', text: 'Restarts' }] },
];

interface RowElements {
  readonly tr: HTMLTableRowElement;
  readonly image: HTMLElement;
  readonly state: HTMLElement;
  readonly health: HTMLElement;
  readonly cpuCores: HTMLElement;
  readonly cpuPercent: HTMLElement;
  readonly cpuLimit: HTMLElement;
  readonly cpuUnit: HTMLElement;
  readonly cpuShare: HTMLElement;
  readonly cpuSub: HTMLElement;
  readonly memOf: HTMLElement;
  readonly memSub: HTMLElement;
  readonly cpuSpark: Sparkline;
  readonly memWorkingSet: HTMLElement;
  readonly memLimit: HTMLElement;
  readonly memPercent: HTMLElement;
  readonly memBar: ReturnType<typeof bar>;
  readonly memSpark: Sparkline;
  readonly netRx: HTMLElement;
  readonly netTx: HTMLElement;
  readonly diskRead: HTMLElement;
  readonly diskWrite: HTMLElement;
  readonly restarts: HTMLElement;
}

function field(name: string, cls = 'fig'): HTMLElement {
  return h('span', { class: cls, attrs: { 'data-field': name } });
}

function createRow(name: string): RowElements {
  const image = h('span', { class: 'image' });
  const state = field('state', 'badge');
  const health = field('health', 'badge');
  const cpuCores = field('cpuCores', 'fig fig-main');
  const cpuPercent = field('cpuPercentOfTask');
  const cpuLimit = h('span', { class: 'muted' });
  const cpuSpark = sparkline(COLORS.cpu, `CPU of ${name} over time`);
  const memWorkingSet = field('memoryWorkingSet', 'fig fig-main');
  const memLimit = field('memoryLimit');
  const memPercent = field('memoryPercentOfLimit');
  const memBar = bar();
  const cpuUnit = h('span', { class: 'unit', text: ' cores' });
  const cpuShare = h('span', {}, cpuPercent, ' of task ');
  const cpuSub = h('span', { class: 'sub' }, cpuShare, cpuLimit);
  const memOf = h('span', { class: 'unit' }, ' of ', memLimit);
  const memSub = h('span', { class: 'sub meter' }, memBar.element, memPercent);
  const memSpark = sparkline(COLORS.memory, `memory of ${name} over time`);
  const netRx = field('networkRx');
  const netTx = field('networkTx');
  const diskRead = field('diskRead');
  const diskWrite = field('diskWrite');
  const restarts = field('restarts', 'fig fig-main');
  const cell = (column: string, label: string, ...children: (Node | string)[]) =>
    h('td', { class: column, attrs: { 'data-label': label } }, ...children);
  const tr = h(
    'tr',
    { attrs: { 'data-container': name } },
    h(
      'th',
      { class: 'col-name', attrs: { scope: 'row' } },
      h('span', { class: 'name', text: name, attrs: { 'data-field': 'name' } }),
      image,
    ),
    cell('col-state', 'State', h('span', { class: 'badges' }, state, health)),
    cell('col-cpu', 'CPU', h('span', { class: 'figs' }, cpuCores, cpuUnit), cpuSub, cpuSpark.element),
    cell('col-mem', 'Memory', h('span', { class: 'figs' }, memWorkingSet, memOf), memSub, memSpark.element),
    cell(
      'col-net',
      'Network',
      h('span', { class: 'pair' }, 'rx ', netRx),
      h('span', { class: 'pair' }, 'tx ', netTx),
    ),
    cell(
      'col-disk',
      'Disk',
      h('span', { class: 'pair' }, 'read ', diskRead),
      h('span', { class: 'pair' }, 'write ', diskWrite),
    ),
    cell('col-restarts', 'Restarts', restarts),
  );
  return {
    tr,
    image,
    state,
    health,
    cpuCores,
    cpuPercent,
    cpuLimit,
    cpuUnit,
    cpuShare,
    cpuSub,
    memOf,
    memSub,
    cpuSpark,
    memWorkingSet,
    memLimit,
    memPercent,
    memBar,
    memSpark,
    netRx,
    netTx,
    diskRead,
    diskWrite,
    restarts,
  };
}

function fillRow(row: RowElements, view: ContainerRowView, series: SeriesStore, snapshot: Snapshot): void {
  setText(row.image, view.image);
  row.image.title = view.image;
  setFigure(row.state, view.state);
  setFigure(row.health, view.health);
  setFigure(row.cpuCores, view.cpuCores);
  setFigure(row.cpuPercent, view.cpuPercentOfTask);
  setText(row.cpuLimit, view.cpuLimit ?? '');
  // "not reported" stands alone: no unit after it, no "% of task" line under it.
  row.cpuUnit.hidden = view.cpuCores.value === null;
  // The share of the task only when there is one (a task without a size has none).
  row.cpuShare.hidden = view.cpuPercentOfTask.value === null;
  row.cpuSub.hidden = view.cpuPercentOfTask.value === null && view.cpuLimit === null;
  row.memOf.hidden = view.memoryLimit.value === null;
  row.memSub.hidden = view.memoryPercentOfLimit.value === null && view.memoryWorkingSet.value === null;
  setFigure(row.memWorkingSet, view.memoryWorkingSet);
  setFigure(row.memLimit, view.memoryLimit);
  setFigure(row.memPercent, view.memoryPercentOfLimit);
  row.memBar.set(view.memoryPercentOfLimit.value, view.memoryPercentOfLimit.level);
  setFigure(row.netRx, view.networkRx);
  setFigure(row.netTx, view.networkTx);
  setFigure(row.diskRead, view.diskRead);
  setFigure(row.diskWrite, view.diskWrite);
  setFigure(row.restarts, view.restarts);
  for (const element of [
    row.cpuCores,
    row.cpuPercent,
    row.memWorkingSet,
    row.memLimit,
    row.memPercent,
    row.netRx,
    row.netTx,
    row.diskRead,
    row.diskWrite,
    row.restarts,
  ]) {
    element.classList.toggle('not-reported', element.textContent === 'not reported');
  }
  const columns = series.container(view.name);
  const container = snapshot.containers.find((c) => c.name === view.name);
  // The sparkline's scale reaches the container's reservation / limit, so its height shows headroom.
  row.cpuSpark.update(series.times, columns.cpuCores, container?.cpu.limitCores ?? null);
  row.memSpark.update(series.times, columns.memoryBytes, container?.memory.limitBytes ?? null);
}

export function containerTable(initial: SortOrder, onSort: (key: SortKey) => SortOrder): ContainerTable {
  let order = initial;
  const headers = new Map<SortKey, { th: HTMLTableCellElement; button: HTMLButtonElement }>();
  const headRow = h('tr');
  for (const column of COLUMNS) {
    const th = h('th', { class: column.class, attrs: { scope: 'col' } });
    column.sorts.forEach((sort, index) => {
      // Two orders in one column (memory and its % of the limit) read as "Memory · % of limit".
      if (index > 0) th.append(h('span', { class: 'sort-sep', text: '·', attrs: { 'aria-hidden': 'true' } }));
      const button = h(
        'button',
        { class: 'sort', attrs: { type: 'button', 'data-sort': sort.key } },
        sort.text,
        h('span', { class: 'arrow', attrs: { 'aria-hidden': 'true' } }),
      );
      button.addEventListener('click', () => applyOrder(onSort(sort.key)));
      headers.set(sort.key, { th, button });
      th.append(button);
    });
    headRow.append(th);
  }
  const caption = h('caption', { class: 'visually-hidden' });
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'containers', attrs: { id: 'containers' } },
    caption,
    h('thead', {}, headRow),
    tbody,
  );

  // The narrow screen's sort control: the same orders as the headers.
  const select = h('select', { attrs: { 'aria-label': 'Sort containers by', 'data-sort-select': '' } });
  for (const key of Object.keys(SORT_LABELS) as SortKey[]) {
    select.append(h('option', { text: SORT_LABELS[key], attrs: { value: key } }));
  }
  select.addEventListener('change', () => {
    const key = select.value as SortKey;
    if (key !== order.key) applyOrder(onSort(key));
  });
  const reverse = h('button', { class: 'reverse', attrs: { type: 'button', 'data-sort-reverse': '' } });
  reverse.addEventListener('click', () => applyOrder(onSort(order.key)));
  const count = h('span', { class: 'count', attrs: { 'data-field': 'container-count' } });
  const note = h('p', { class: 'note muted' });
  const element = h(
    'section',
    { class: 'containers-section', attrs: { 'aria-labelledby': 'containers-heading' } },
    h(
      'div',
      { class: 'section-head' },
      h('h2', { attrs: { id: 'containers-heading' } }, 'Containers ', count),
      h('div', { class: 'sort-control' }, h('label', {}, 'Sort by ', select), reverse),
    ),
    table,
    note,
  );

  const rows = new Map<string, RowElements>();
  let last: { snapshot: Snapshot; series: SeriesStore } | undefined;

  function applyOrder(next: SortOrder): void {
    order = next;
    for (const [key, { th, button }] of headers) {
      const active = key === order.key;
      button.classList.toggle('sorted', active);
      button.querySelector('.arrow')!.textContent = active
        ? order.direction === 'ascending'
          ? ' ▲'
          : ' ▼'
        : '';
      if (active) th.setAttribute('aria-sort', order.direction);
      else if (!th.querySelector('.sorted')) th.removeAttribute('aria-sort');
    }
    select.value = order.key;
    setText(reverse, order.direction === 'ascending' ? '▲ ascending' : '▼ descending');
    reverse.setAttribute('aria-label', `Reverse the order (now ${order.direction})`);
    setText(caption, `Containers, sorted by ${SORT_LABELS[order.key]}, ${order.direction}`);
    if (last !== undefined) render(last.snapshot, last.series);
  }

  function render(snapshot: Snapshot, series: SeriesStore): void {
    last = { snapshot, series };
    const views = sortRows(snapshot.containers.map(containerRow), order);
    const names = new Set(views.map((v) => v.name));
    for (const [name, row] of rows) {
      if (!names.has(name)) {
        row.tr.remove();
        rows.delete(name);
      }
    }
    views.forEach((view, index) => {
      let row = rows.get(view.name);
      if (row === undefined) {
        row = createRow(view.name);
        rows.set(view.name, row);
      }
      fillRow(row, view, series, snapshot);
      // Moves the row only when it is out of place, so a stable order touches nothing.
      if (tbody.children[index] !== row.tr) tbody.insertBefore(row.tr, tbody.children[index] ?? null);
    });
    setText(count, `(${views.length})`);
    const network = showsContainerNetwork(snapshot);
    table.classList.toggle('no-net', !network);
    setText(
      note,
      network || snapshot.task === null
        ? ''
        : `Network is per task on ${snapshot.task.networkMode}: the containers share its interfaces (see Task).`,
    );
  }

  applyOrder(order);
  return { element, update: render };
}
