/** Resolves with the signal's name when the command should stop; injectable for tests. */
export type WaitForStop = () => Promise<string>;

/** Resolves on the first SIGINT or SIGTERM (docs/contract.md: serve until stopped, exit 0). */
export function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
