/*
 * Load profiles: a value over the scenario's time (seconds since its origin) with an exact
 * antiderivative, so counters are integrals of what the scenario says rather than sums of
 * samples, and the ground truth (`/__taskscope/truth`) is exact to the nanosecond.
 */

/** One base shape, in the profile's unit (cores, bytes, bytes per second). Times in ms. */
export type ProfileShape =
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'steps'; readonly steps: readonly { readonly atMs: number; readonly value: number }[] }
  | {
      readonly kind: 'sine';
      readonly mean: number;
      readonly amplitude: number;
      readonly periodMs: number;
      readonly phaseMs: number;
    }
  | {
      readonly kind: 'spikes';
      readonly base: number;
      readonly peak: number;
      readonly everyMs: number;
      readonly durationMs: number;
      readonly offsetMs: number;
    };

/** A base shape plus seeded quasi-periodic noise of at most `noise` either way. */
export interface Profile {
  readonly shape: ProfileShape;
  /** Absolute amplitude in the profile's unit; never above the shape's minimum. */
  readonly noise: number;
}

/** The seeded part of a profile's noise: three sines with the given periods and phases. */
export interface NoiseParameters {
  readonly periodsSeconds: readonly [number, number, number];
  readonly phasesRadians: readonly [number, number, number];
}

// Weights sum to 1, so |noise| never exceeds its amplitude.
const NOISE_WEIGHTS = [0.5, 0.3, 0.2] as const;
const TWO_PI = 2 * Math.PI;

/** A profile ready to evaluate: `t` in seconds since the scenario origin (t ≥ 0). */
export interface ProfileFunction {
  valueAt(t: number): number;
  /** ∫₀ᵗ value, in unit·seconds. */
  integral(t: number): number;
  /** An upper bound of the value on [a, b], exact for the base shape (used for max_usage). */
  maxBetween(a: number, b: number): number;
}

/** The smallest value the base shape takes (noise must not reach below zero). */
export function shapeMinimum(shape: ProfileShape): number {
  switch (shape.kind) {
    case 'constant':
      return shape.value;
    case 'steps':
      return Math.min(...shape.steps.map((step) => step.value));
    case 'sine':
      return shape.mean - shape.amplitude;
    case 'spikes':
      return Math.min(shape.base, shape.peak);
  }
}

/** The largest value the profile can take, noise included (used to check limits). */
export function profileMaximum(profile: Profile): number {
  const { shape } = profile;
  switch (shape.kind) {
    case 'constant':
      return shape.value + profile.noise;
    case 'steps':
      return Math.max(...shape.steps.map((step) => step.value)) + profile.noise;
    case 'sine':
      return shape.mean + shape.amplitude + profile.noise;
    case 'spikes':
      return Math.max(shape.base, shape.peak) + profile.noise;
  }
}

export function createProfileFunction(profile: Profile, noise: NoiseParameters): ProfileFunction {
  const base = createShapeFunction(profile.shape);
  const amplitude = profile.noise;
  if (amplitude === 0) return base;
  const [p0, p1, p2] = noise.periodsSeconds;
  const [f0, f1, f2] = noise.phasesRadians;
  const noiseAt = (t: number): number =>
    amplitude *
    (NOISE_WEIGHTS[0] * Math.sin((TWO_PI * t) / p0 + f0) +
      NOISE_WEIGHTS[1] * Math.sin((TWO_PI * t) / p1 + f1) +
      NOISE_WEIGHTS[2] * Math.sin((TWO_PI * t) / p2 + f2));
  const term = (weight: number, period: number, phase: number, t: number): number =>
    ((weight * period) / TWO_PI) * (Math.cos(phase) - Math.cos((TWO_PI * t) / period + phase));
  const noiseIntegral = (t: number): number =>
    amplitude *
    (term(NOISE_WEIGHTS[0], p0, f0, t) +
      term(NOISE_WEIGHTS[1], p1, f1, t) +
      term(NOISE_WEIGHTS[2], p2, f2, t));
  return {
    valueAt: (t) => Math.max(0, base.valueAt(t) + noiseAt(t)),
    integral: (t) => base.integral(t) + noiseIntegral(t),
    maxBetween: (a, b) => base.maxBetween(a, b) + amplitude,
  };
}

function createShapeFunction(shape: ProfileShape): ProfileFunction {
  switch (shape.kind) {
    case 'constant':
      return {
        valueAt: () => shape.value,
        integral: (t) => shape.value * t,
        maxBetween: () => shape.value,
      };
    case 'steps':
      return createStepsFunction(shape.steps);
    case 'sine':
      return createSineFunction(shape);
    case 'spikes':
      return createSpikesFunction(shape);
  }
}

function createStepsFunction(
  steps: readonly { readonly atMs: number; readonly value: number }[],
): ProfileFunction {
  const starts = steps.map((step) => step.atMs / 1000);
  const values = steps.map((step) => step.value);
  // ∫ from 0 to the start of each step, so an integral is one lookup and one product.
  const before: number[] = [0];
  for (let i = 1; i < steps.length; i++)
    before.push(before[i - 1]! + values[i - 1]! * (starts[i]! - starts[i - 1]!));
  const indexAt = (t: number): number => {
    let index = 0;
    while (index + 1 < starts.length && starts[index + 1]! <= t) index++;
    return index;
  };
  return {
    valueAt: (t) => values[indexAt(t)]!,
    integral: (t) => {
      const i = indexAt(t);
      return before[i]! + values[i]! * (t - starts[i]!);
    },
    maxBetween: (a, b) => {
      let max = values[indexAt(a)]!;
      for (let i = indexAt(a) + 1; i < starts.length && starts[i]! <= b; i++) max = Math.max(max, values[i]!);
      return max;
    },
  };
}

function createSineFunction(shape: Extract<ProfileShape, { kind: 'sine' }>): ProfileFunction {
  const period = shape.periodMs / 1000;
  const phase = shape.phaseMs / 1000;
  const angle = (t: number): number => (TWO_PI * (t + phase)) / period;
  const valueAt = (t: number): number => shape.mean + shape.amplitude * Math.sin(angle(t));
  const cos0 = Math.cos(angle(0));
  return {
    valueAt,
    integral: (t) => shape.mean * t + ((shape.amplitude * period) / TWO_PI) * (cos0 - Math.cos(angle(t))),
    maxBetween: (a, b) => {
      if (b - a >= period) return shape.mean + shape.amplitude;
      // The crest is at angle π/2 + 2πn: is one inside [angle(a), angle(b)]?
      const crest = Math.ceil((angle(a) - Math.PI / 2) / TWO_PI) * TWO_PI + Math.PI / 2;
      if (crest <= angle(b)) return shape.mean + shape.amplitude;
      return Math.max(valueAt(a), valueAt(b));
    },
  };
}

function createSpikesFunction(shape: Extract<ProfileShape, { kind: 'spikes' }>): ProfileFunction {
  const every = shape.everyMs / 1000;
  const duration = shape.durationMs / 1000;
  const offset = shape.offsetMs / 1000;
  const inSpike = (t: number): boolean => t >= offset && (t - offset) % every < duration;
  // Seconds spent inside spikes during [0, t].
  const spikeSeconds = (t: number): number => {
    if (t <= offset) return 0;
    const u = t - offset;
    const cycles = Math.floor(u / every);
    return cycles * duration + Math.min(u - cycles * every, duration);
  };
  return {
    valueAt: (t) => (inSpike(t) ? shape.peak : shape.base),
    integral: (t) => shape.base * t + (shape.peak - shape.base) * spikeSeconds(t),
    maxBetween: (a, b) => {
      const high = Math.max(shape.base, shape.peak);
      const low = Math.min(shape.base, shape.peak);
      if (high === low) return high;
      // Any spike window [offset + n·every, + duration) overlapping [a, b]?
      const touches = spikeSeconds(b) > spikeSeconds(a) || inSpike(a) || inSpike(b);
      return touches ? shape.peak : shape.base;
    },
  };
}
