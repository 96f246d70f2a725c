import type { Clock } from '../../src/clock.js';

/** A Clock whose time moves only when the test says so; timers fire in due order. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing due timers and letting their async work settle. */
  advanceBy(ms: number): Promise<void>;
  pendingTimers(): number;
  /** When the earliest pending timer is due, ms since the epoch; `undefined` when none is. */
  nextTimerAtMs(): number | undefined;
}

/** Lets every queued promise continuation run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function createManualClock(startMs = Date.UTC(2025, 1, 27, 5, 22, 0)): ManualClock {
  let nowMs = startMs;
  let sequence = 0;
  const timers = new Map<number, { atMs: number; callback: () => void }>();
  return {
    now: () => nowMs,
    setTimeout(callback, delayMs) {
      sequence += 1;
      timers.set(sequence, { atMs: nowMs + Math.max(0, delayMs), callback });
      return sequence;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    async advanceBy(ms) {
      const targetMs = nowMs + ms;
      for (;;) {
        await settle();
        let dueId: number | undefined;
        let dueAt = Number.POSITIVE_INFINITY;
        for (const [id, timer] of timers) {
          // Ties fire in creation order (Map iteration order), like Node's timers.
          if (timer.atMs <= targetMs && timer.atMs < dueAt) {
            dueId = id;
            dueAt = timer.atMs;
          }
        }
        if (dueId === undefined) break;
        const timer = timers.get(dueId)!;
        timers.delete(dueId);
        nowMs = Math.max(nowMs, timer.atMs);
        timer.callback();
      }
      nowMs = targetMs;
      await settle();
    },
    pendingTimers: () => timers.size,
    nextTimerAtMs() {
      let earliestMs: number | undefined;
      for (const timer of timers.values()) {
        if (earliestMs === undefined || timer.atMs < earliestMs) earliestMs = timer.atMs;
      }
      return earliestMs;
    },
  };
}
