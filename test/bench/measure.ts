/*
 * A small timing harness. Candidate and baseline run in alternating batches in the same
 * process, so CPU frequency changes and GC pressure hit both alike, and the figure reported
 * is the median batch, which a single slow batch cannot move. Batches are timed in process
 * CPU time (user + system, GC threads included), not wall time: on a shared 2-core CI box
 * the wall clock mostly measures how long other processes held the cores.
 */

export interface Timed {
  readonly name: string;
  /** Median of the batches, in CPU microseconds per operation. */
  readonly microsPerOp: number;
  /** Spread of the batches: (max − min) / median. */
  readonly spread: number;
}

export interface CompareOptions {
  /** Batches per case; the median is reported. */
  readonly batches?: number;
  /** Wall time each batch should take, ms (the operation count is calibrated to it). */
  readonly batchMs?: number;
}

/** Times each case in interleaved batches and returns their medians, in the order given. */
export function compare(
  cases: readonly { readonly name: string; readonly run: () => unknown }[],
  options: CompareOptions = {},
): Timed[] {
  const batches = options.batches ?? 15;
  const batchMs = options.batchMs ?? 40;
  let sink: unknown;
  const counts = cases.map((c) => {
    // Warm up (JIT tiers) and calibrate: double until one batch takes at least 10 ms.
    let n = 1;
    for (;;) {
      const started = cpuMicros();
      for (let i = 0; i < n; i++) sink = c.run();
      const ms = (cpuMicros() - started) / 1e3;
      if (ms >= 10) return Math.max(1, Math.round((n * batchMs) / ms));
      n *= 2;
    }
  });
  const samples: number[][] = cases.map(() => []);
  for (let b = 0; b < batches; b++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[k]!;
      const n = counts[k]!;
      const started = cpuMicros();
      for (let i = 0; i < n; i++) sink = c.run();
      samples[k]!.push((cpuMicros() - started) / n);
    }
  }
  // Keep the results observable so no engine can drop the work as dead code.
  if (sink === Symbol.for('never')) console.log(sink);
  return cases.map((c, k) => {
    const sorted = samples[k]!.sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return { name: c.name, microsPerOp: median, spread: (sorted.at(-1)! - sorted[0]!) / median };
  });
}

/** CPU time this process has used, µs. */
export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** A plain-text table with right-aligned numeric columns. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const fixed = (value: number, digits = 1): string => value.toFixed(digits);
