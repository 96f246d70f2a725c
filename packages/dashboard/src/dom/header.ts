/* The task header (identity, size, cost), the poll badge and the warning banner. */
import type { PollView, TaskHeaderView } from '../model.js';
import { factList, h, setText } from './h.js';

export interface HeaderView {
  readonly element: HTMLElement;
  readonly banner: HTMLElement;
  update(task: TaskHeaderView): void;
  updatePoll(poll: PollView): void;
}

const FACTS = {
  taskId: 'Task',
  cluster: 'Cluster',
  launchType: 'Launch type',
  availabilityZone: 'AZ',
  size: 'Size',
  networkMode: 'Network',
  cost: 'Cost',
} satisfies Partial<Record<keyof TaskHeaderView, string>>;

export function headerView(): HeaderView {
  const title = h('h1', { class: 'task-title', text: 'taskscope', attrs: { 'data-field': 'title' } });
  const badge = h('span', {
    class: 'badge poll-badge',
    text: 'connecting',
    attrs: { 'data-field': 'poll-level' },
  });
  const { element: facts, values } = factList('facts', FACTS);
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
