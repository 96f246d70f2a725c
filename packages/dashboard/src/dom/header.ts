/* The task header (identity, size, cost), the poll badge and the warning banner. */
import type { PollView, TaskHeaderView } from '../model.js';
import { h, setText } from './h.js';

export interface HeaderView {
  readonly element: HTMLElement;
  readonly banner: HTMLElement;
  update(task: TaskHeaderView): void;
  updatePoll(poll: PollView): void;
}

const FACTS: readonly { key: keyof TaskHeaderView; label: string }[] = [
  { key: 'taskId', label: 'Task' },
  { key: 'cluster', label: 'Cluster' },
  { key: 'launchType', label: 'Launch type' },
  { key: 'availabilityZone', label: 'AZ' },
  { key: 'size', label: 'Size' },
  { key: 'networkMode', label: 'Network' },
  { key: 'cost', label: 'Cost' },
];

export function headerView(): HeaderView {
  const title = h('h1', { class: 'task-title', text: 'taskscope', attrs: { 'data-field': 'title' } });
  const badge = h('span', {
    class: 'badge poll-badge',
    text: 'connecting',
    attrs: { 'data-field': 'poll-level' },
  });
  const values = new Map<keyof TaskHeaderView, HTMLElement>();
  const facts = h('dl', { class: 'facts' });
  for (const fact of FACTS) {
    const value = h('dd', { attrs: { 'data-field': fact.key } });
    values.set(fact.key, value);
    facts.append(h('div', { class: 'fact' }, h('dt', { text: fact.label }), value));
  }
  const banner = h('div', { class: 'banner', attrs: { role: 'alert', 'data-field': 'banner' } });
  banner.hidden = true;
  const element = h(
    'header',
    { class: 'top' },
    h('div', { class: 'title-row' }, h('span', { class: 'brand', text: 'taskscope' }), title, badge),
    facts,
  );
  return {
    element,
    banner,
    update(task) {
      setText(title, task.title);
      document.title = `${task.title} · taskscope`;
      for (const [key, value] of values) {
        setText(value, task[key]);
        value.classList.toggle('not-reported', task[key] === 'not reported');
      }
    },
    updatePoll(poll) {
      setText(badge, poll.summary);
      badge.className = `badge poll-badge poll-${poll.level}`;
      banner.hidden = poll.warning === null;
      setText(banner, poll.warning ?? '');
      banner.className = `banner banner-${poll.level}`;
    },
  };
}
