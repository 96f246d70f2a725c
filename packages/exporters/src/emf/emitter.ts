import type { TaskMetrics } from '@taskscope/core';
import { z } from 'zod';
import { translateEmf } from './translate.js';

/**
 * CloudWatch namespace rules: PutMetricData's 255-character limit (stricter than the EMF
 * schema's 1024), aws-embedded-metrics-node's character set, and no `AWS/` prefix (reserved).
 */
export const EMF_NAMESPACE = z.string().regex(/^(?!AWS\/)(?=.*\S)[A-Za-z0-9 ._#:/-]{1,255}$/, {
  error: (issue) =>
    `EMF namespace must be 1-255 characters of letters, digits, spaces and . _ # : / -, not starting with "AWS/" (got ${JSON.stringify(issue.input)})`,
});

/** Options of {@link createEmfEmitter}. */
export interface EmfEmitterOptions {
  readonly namespace: string;
  readonly containerMetrics: boolean;
  /** Where a line goes: the agent writes to stdout (logs go to stderr, so they never mix). */
  readonly write: (line: string) => void;
}

/** Writes EMF lines for the samples it is given. */
export interface EmfEmitter {
  /** Write the EMF lines of one FRESH sample; duplicates must not be passed (they carry no new interval). */
  emit(metrics: TaskMetrics): void;
}

/** Thin adapter over {@link translateEmf}: one JSON document per line. */
export function createEmfEmitter(options: EmfEmitterOptions): EmfEmitter {
  const parsed = EMF_NAMESPACE.safeParse(options.namespace);
  if (!parsed.success) throw new TypeError(parsed.error.issues[0]!.message);
  const translateOptions = { namespace: parsed.data, containerMetrics: options.containerMetrics };
  return {
    emit(metrics) {
      for (const event of translateEmf(metrics, translateOptions))
        options.write(`${JSON.stringify(event)}\n`);
    },
  };
}
