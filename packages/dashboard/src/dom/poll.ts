/* Poll health: how fresh the figures are and whether the agent's polls succeed. */
import type { PollView } from '../model.js';
import { h, setText } from './h.js';

const ROWS: readonly { key: keyof PollView; label: string }[] = [
  { key: 'lastSampleAge', label: 'Last sample' },
  { key: 'interval', label: 'Interval' },
  { key: 'consecutiveFailures', label: 'Failures in a row' },
  { key: 'failures', label: 'Failures in all' },
  { key: 'lastError', label: 'Last error' },
  { key: 'endpointVersion', label: 'Endpoint version' },
];

export interface PollSection {
  readonly element: HTMLElement;
  update(poll: PollView): void;
}

export function pollSection(): PollSection {
  const values = new Map<keyof PollView, HTMLElement>();
  const list = h('dl', { class: 'facts poll-facts' });
  for (const row of ROWS) {
    const value = h('dd', { attrs: { 'data-field': `poll-${row.key}` } });
    values.set(row.key, value);
    list.append(h('div', { class: 'fact' }, h('dt', { text: row.label }), value));
  }
  const element = h(
    'section',
    { class: 'poll', attrs: { 'aria-labelledby': 'poll-heading' } },
    h('h2', { text: 'Poll health', attrs: { id: 'poll-heading' } }),
    list,
  );
  return {
    element,
    update(poll) {
      for (const [key, value] of values) {
        const text = String(poll[key]);
        setText(value, key === 'lastSampleAge' && text !== 'not reported' ? `${text} ago` : text);
      }
      values.get('consecutiveFailures')!.classList.toggle('lvl-bad', poll.level === 'failing');
      values.get('lastSampleAge')!.classList.toggle('lvl-warn', poll.level === 'stale');
    },
  };
}
