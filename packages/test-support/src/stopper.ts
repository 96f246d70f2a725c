/**
 * What a test started (servers, receivers, stacks), to stop after it: register each with
 * {@link Stopper.track} as it starts, and call {@link Stopper.stopAll} from `afterEach`, so no
 * test leaves a listener or child process to the next.
 */
export interface Stopper {
  /** Registers `stop(started)` and gives `started` back. */
  track<T>(started: T, stop: (started: T) => unknown): T;
  /**
   * Stops everything registered, the last started first (an agent before the endpoint it
   * polls), and forgets it. Every stop runs even when one fails; the first failure is thrown.
   */
  stopAll(): Promise<void>;
}

export function createStopper(): Stopper {
  const stops: (() => unknown)[] = [];
  return {
    track(started, stop) {
      stops.push(() => stop(started));
      return started;
    },
    async stopAll() {
      const failures: unknown[] = [];
      for (const stop of stops.splice(0).reverse()) {
        try {
          await stop();
        } catch (error) {
          failures.push(error);
        }
      }
      if (failures.length > 0) throw failures[0];
    },
  };
}
