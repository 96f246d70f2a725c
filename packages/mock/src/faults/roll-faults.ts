import type { Fault } from './fault-spec.js';
import type { SchemaDrift } from './schema-drift.js';

/** What the faults that fired on one request do to it. */
export interface FaultOutcome {
  /** The first terminal fault that fired (500, 503, 429, timeout, reset). */
  readonly terminal: Fault | undefined;
  /** Sum of the `slow` faults that fired. */
  readonly delayMs: number;
  readonly drifts: readonly SchemaDrift[];
  readonly malformed: boolean;
}

export const NO_FAULT: FaultOutcome = { terminal: undefined, delayMs: 0, drifts: [], malformed: false };

/**
 * Rolls each fault whose glob matches, in order. `slow`, `schema-drift` and `malformed`
 * combine; the first terminal kind decides the answer. One random draw per matching fault
 * with a probability below 1, so the same seed and request order give the same outcome.
 */
export function rollFaults(faults: readonly Fault[], path: string, random: () => number): FaultOutcome {
  if (faults.length === 0) return NO_FAULT;
  let delayMs = 0;
  let malformed = false;
  const drifts: SchemaDrift[] = [];
  for (const fault of faults) {
    if (!fault.matches(path)) continue;
    if (fault.probability < 1 && !(random() < fault.probability)) continue;
    switch (fault.kind) {
      case 'slow':
        delayMs += fault.delayMs;
        break;
      case 'schema-drift':
        for (const drift of fault.drifts) if (!drifts.includes(drift)) drifts.push(drift);
        break;
      case 'malformed':
        malformed = true;
        break;
      default:
        return { terminal: fault, delayMs, drifts, malformed };
    }
  }
  return delayMs === 0 && drifts.length === 0 && !malformed
    ? NO_FAULT
    : { terminal: undefined, delayMs, drifts, malformed };
}
