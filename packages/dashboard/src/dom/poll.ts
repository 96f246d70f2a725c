/* Poll health: how fresh the figures are and whether the agent's polls succeed. */
import type { PollView } from '../model.js';
import { factList, h, setText } from './h.js';

const ROWS = {
  lastSampleAge: 'Last sample',
  interval: 'Interval',
  consecutiveFailures: 'Failures in a row',
  failures: 'Failures in all',
  lastError: 'Last error',
  endpointVersion: 'Endpoint version',
} satisfies Partial<Record<keyof PollView, string>>;

export interface PollSection {
  readonly element: HTMLElement;
  update(poll: PollView): void;
}

export function pollSection(): PollSection {
  const { element: list, values } = factList('facts poll-facts', ROWS, 'poll-');
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
