import { waitFor } from '@taskscope/test-support';
import type { ManualClock } from './manual-clock.js';

/*
 * Fake time for the agent against the mock over real loopback HTTP: time moves only when a test
 * moves it, and every poll is let finish at the time it started before time moves on.
 */

/**
 * Waits in real time until the poll a timer started has finished: the poller keeps one timer
 * on its clock except while a poll is in flight, and re-arms it only once the poll is done.
 */
export function pollFinished(clock: ManualClock): Promise<true> {
  // A poll over loopback takes a few ms: probe every ms, or a test of hundreds of polls waits
  // mostly for its probe's interval.
  return waitFor(
    'the poll in flight to finish (the poller to re-arm its timer)',
    () => (clock.pendingTimers() > 0 ? true : undefined),
    { intervalMs: 1 },
  );
}

/** Moves fake time forward by `ms`, stopping at each poll to let it finish at the time it started. */
export async function advance(clock: ManualClock, ms: number): Promise<void> {
  const targetMs = clock.now() + ms;
  for (;;) {
    const dueMs = clock.nextTimerAtMs();
    if (dueMs === undefined || dueMs > targetMs) break;
    await clock.advanceBy(dueMs - clock.now());
    await pollFinished(clock);
  }
  await clock.advanceBy(targetMs - clock.now());
}

/**
 * Advances fake time poll by poll until `condition` holds; fails with `what` once `maxMs` of
 * fake time has passed without it.
 */
export async function advanceUntil(
  clock: ManualClock,
  what: string,
  condition: () => boolean,
  maxMs: number,
) {
  const deadlineMs = clock.now() + maxMs;
  while (!condition()) {
    const dueMs = clock.nextTimerAtMs();
    if (dueMs === undefined || dueMs > deadlineMs) {
      throw new Error(`${what}: not within ${maxMs} ms of fake time (next poll due ${dueMs ?? 'never'})`);
    }
    await clock.advanceBy(dueMs - clock.now());
    await pollFinished(clock);
  }
}
