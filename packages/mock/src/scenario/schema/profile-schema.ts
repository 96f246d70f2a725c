import { safeParseInput } from '@taskscope/input';
import * as v from 'valibot';
import { type Profile, type ProfileShape, shapeMinimum } from '../engine/profile.js';
import {
  DURATION_TEXT,
  durationMs,
  fields,
  isPlainRecord,
  POSITIVE_DURATION_TEXT,
  type ValueSchema,
} from './fields.js';

/** Where an issue raised by a rule across fields points (valibot's non-empty path). */
type IssuePath = [v.IssuePathItem, ...v.IssuePathItem[]];

const PROFILE_KINDS = ['constant', 'steps', 'sine', 'spikes'] as const;
type ProfileKind = (typeof PROFILE_KINDS)[number];

/**
 * A load profile: a bare value (a constant) or one of four shapes. The shape is chosen by
 * its key before validating, so a bad `{sine}` is reported inside the sine rather than as
 * "none of four shapes matched".
 */
export function profileSchema(value: ValueSchema, unitWords: string) {
  const noise = v.optional(value);
  const bare = v.pipe(
    value,
    v.transform((n): Profile => ({ shape: { kind: 'constant', value: n }, noise: 0 })),
  );
  /** `{<kind>: <parameters>, noise}`: one shape under its own key, with the profile's noise. */
  const shaped = <const K extends ProfileKind, S extends v.GenericSchema>(
    kind: K,
    parameters: S,
    toShape: (parameters: v.InferOutput<S>) => ProfileShape,
  ) =>
    v.pipe(
      fields(
        { [kind]: parameters, noise } as Record<K, S> & { noise: typeof noise },
        `a map {${kind}, noise}`,
      ),
      v.transform((d): Profile => ({ shape: toShape(d[kind]), noise: d.noise ?? 0 })),
    );
  const shapes = {
    constant: shaped('constant', value, (constant) => ({ kind: 'constant', value: constant })),
    steps: shaped(
      'steps',
      v.pipe(
        v.array(
          fields({ at: durationMs(DURATION_TEXT), value }, 'a step {at, value}'),
          'a list of {at, value}',
        ),
        v.minLength(1, 'at least one {at, value}'),
      ),
      (steps) => ({ kind: 'steps', steps: steps.map((step) => ({ atMs: step.at, value: step.value })) }),
    ),
    sine: shaped(
      'sine',
      fields(
        {
          mean: value,
          amplitude: value,
          period: durationMs(POSITIVE_DURATION_TEXT, 1),
          phase: v.optional(durationMs(DURATION_TEXT), 0),
        },
        'a map {mean, amplitude, period, phase}',
      ),
      (s) => ({ kind: 'sine', mean: s.mean, amplitude: s.amplitude, periodMs: s.period, phaseMs: s.phase }),
    ),
    spikes: shaped(
      'spikes',
      fields(
        {
          base: value,
          peak: value,
          every: durationMs(POSITIVE_DURATION_TEXT, 1),
          duration: durationMs(POSITIVE_DURATION_TEXT, 1),
          offset: v.optional(durationMs(DURATION_TEXT), 0),
        },
        'a map {base, peak, every, duration, offset}',
      ),
      (s) => ({
        kind: 'spikes',
        base: s.base,
        peak: s.peak,
        everyMs: s.every,
        durationMs: s.duration,
        offsetMs: s.offset,
      }),
    ),
  };
  const allowed = `${unitWords}, or one of {constant}, {steps}, {sine}, {spikes} (see SCENARIOS.md)`;
  return v.pipe(
    v.unknown(),
    v.rawTransform<unknown, Profile>(({ dataset, addIssue, NEVER }) => {
      const input = dataset.value;
      const kind = isPlainRecord(input) ? PROFILE_KINDS.find((k) => Object.hasOwn(input, k)) : undefined;
      const parsed =
        typeof input === 'number' || typeof input === 'string'
          ? safeParseInput(bare, input)
          : kind !== undefined
            ? safeParseInput(shapes[kind], input)
            : undefined;
      if (parsed === undefined) {
        addIssue({ message: allowed });
        return NEVER;
      }
      if (!parsed.success) {
        // Keep the inner path and words: the user sees `…cpuCores.sine.period`, not `…cpuCores`.
        for (const issue of parsed.issues) addIssue({ message: issue.message, path: issue.path });
        return NEVER;
      }
      const problem = shapeProblem(parsed.output.shape, parsed.output.noise);
      if (problem) {
        addIssue({ message: problem.allowed, path: pathItems(input, problem.path) });
        return NEVER;
      }
      return parsed.output;
    }),
  );
}

/** Valibot path items for `keys` into `root`, for an issue raised by a rule across fields. */
function pathItems(root: unknown, keys: readonly (string | number)[]): IssuePath | undefined {
  const items: v.UnknownPathItem[] = [];
  let node = root;
  for (const key of keys) {
    const value =
      isPlainRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
    items.push({ type: 'unknown', origin: 'value', input: node, key, value });
    node = value;
  }
  const [first, ...rest] = items;
  return first === undefined ? undefined : [first, ...rest];
}

/** Rules between a shape's fields; `path` is relative to the profile. */
function shapeProblem(
  shape: ProfileShape,
  noise: number,
): { path: (string | number)[]; allowed: string } | undefined {
  if (shape.kind === 'steps') {
    if (shape.steps[0]!.atMs !== 0) return { path: ['steps', 0, 'at'], allowed: 'the first step at 0s' };
    for (let i = 1; i < shape.steps.length; i++) {
      if (shape.steps[i]!.atMs <= shape.steps[i - 1]!.atMs)
        return {
          path: ['steps', i, 'at'],
          allowed: `a time after the previous step's ${shape.steps[i - 1]!.atMs}ms`,
        };
    }
  }
  if (shape.kind === 'sine' && shape.amplitude > shape.mean)
    return {
      path: ['sine', 'amplitude'],
      allowed: `at most the mean ${shape.mean} (a load never goes below 0)`,
    };
  if (shape.kind === 'spikes') {
    if (shape.peak < shape.base)
      return { path: ['spikes', 'peak'], allowed: `at least the base ${shape.base}` };
    if (shape.durationMs >= shape.everyMs)
      return { path: ['spikes', 'duration'], allowed: `shorter than every (${shape.everyMs}ms)` };
  }
  const minimum = shapeMinimum(shape);
  if (noise > minimum)
    return {
      path: ['noise'],
      allowed: `at most the profile's minimum ${minimum} (a load never goes below 0)`,
    };
  return undefined;
}
