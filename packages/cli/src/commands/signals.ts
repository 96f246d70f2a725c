/** Resolves with the signal's name when the command should stop; injectable for tests. */
export type WaitForStop = () => Promise<string>;

/**
 * How long after the first SIGTERM or SIGINT a real process exits 0 at the latest, whatever is
 * still starting or stopping: the contract's 5 s, less a margin for the exit itself.
 */
export const FORCED_EXIT_MS = 4_800;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

// The first signal of a process armed by armProcessShutdown, once one came (or is awaited).
let armed: Promise<string> | undefined;

/**
 * For a real process, before anything else loads (bin.ts calls it first for the long-running
 * commands): SIGTERM and SIGINT are caught from now on, so a signal during module loading,
 * config reading, the OTLP SDK's loading or listen no longer kills the process with 143. The
 * first signal exits 0 at the latest {@link FORCED_EXIT_MS} later and resolves
 * {@link waitForSignal}, even one called after it came; a second exits 0 at once ("now").
 * Idempotent.
 */
export function armProcessShutdown(): void {
  armed ??= new Promise((resolve) => {
    let first: string | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (first !== undefined) process.exit(0);
      first = signal;
      setTimeout(() => process.exit(0), FORCED_EXIT_MS).unref();
      resolve(signal);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  });
}

/**
 * Resolves on the first SIGINT or SIGTERM (docs/contract.md: serve until stopped, exit 0): the
 * one an armed process caught already, or else one from now on (in-process runs, which must
 * not exit the process: the handlers are removed after it).
 */
export function waitForSignal(): Promise<string> {
  if (armed) return armed;
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      for (const name of STOP_SIGNALS) process.off(name, stop);
      resolve(signal);
    };
    for (const name of STOP_SIGNALS) process.on(name, stop);
  });
}
