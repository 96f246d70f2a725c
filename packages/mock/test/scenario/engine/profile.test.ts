import fc from 'fast-check';
import { expect, test } from 'vitest';
import {
  createProfileFunction,
  type Profile,
  type ProfileShape,
  shapeMinimum,
} from '../../../src/scenario/engine/profile.js';

/*
 * Counters are the profiles' antiderivatives, so these properties are what makes the
 * served counters and /__taskscope/truth exact.
 */

const value = fc.double({ min: 0, max: 1000, noNaN: true });
const durationMs = fc.integer({ min: 1000, max: 3_600_000 });

const shape: fc.Arbitrary<ProfileShape> = fc.oneof(
  value.map((v) => ({ kind: 'constant', value: v }) as const),
  fc
    .array(fc.tuple(fc.integer({ min: 1, max: 600_000 }), value), { minLength: 1, maxLength: 6 })
    .map((steps) => {
      let at = 0;
      return {
        kind: 'steps',
        steps: steps.map(([gap, v], i) => {
          if (i > 0) at += gap;
          return { atMs: at, value: v };
        }),
      } as const;
    }),
  fc
    .tuple(value, fc.double({ min: 0, max: 1, noNaN: true }), durationMs, durationMs)
    .map(
      ([mean, share, periodMs, phaseMs]) =>
        ({ kind: 'sine', mean, amplitude: mean * share, periodMs, phaseMs }) as const,
    ),
  fc.tuple(value, value, durationMs, fc.double({ min: 0.01, max: 0.99, noNaN: true }), durationMs).map(
    ([a, b, everyMs, share, offsetMs]) =>
      ({
        kind: 'spikes',
        base: Math.min(a, b),
        peak: Math.max(a, b),
        everyMs,
        durationMs: Math.max(1, Math.floor(everyMs * share)),
        offsetMs,
      }) as const,
  ),
);

const profile: fc.Arbitrary<Profile> = fc
  .tuple(shape, fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([s, share]) => ({ shape: s, noise: shapeMinimum(s) * share }));

const NOISE = { periodsSeconds: [31, 127, 337], phasesRadians: [0.4, 2.1, 5.0] } as const;
const seconds = fc.double({ min: 0, max: 20_000, noNaN: true });

test('the average over any interval lies between the lowest and highest value there', () => {
  fc.assert(
    fc.property(profile, seconds, fc.double({ min: 0.001, max: 600, noNaN: true }), (p, a, width) => {
      const f = createProfileFunction(p, NOISE);
      const b = a + width;
      const average = (f.integral(b) - f.integral(a)) / width;
      const floor = shapeMinimum(p.shape) - p.noise;
      const tolerance = 1e-9 * Math.max(1, Math.abs(f.integral(b)));
      expect(average).toBeGreaterThanOrEqual(floor - tolerance / width);
      expect(average).toBeLessThanOrEqual(f.maxBetween(a, b) + tolerance / width);
    }),
  );
});

test('counters never go down: the integral is non-decreasing', () => {
  fc.assert(
    fc.property(profile, seconds, seconds, (p, x, y) => {
      const f = createProfileFunction(p, NOISE);
      const [a, b] = x <= y ? [x, y] : [y, x];
      expect(Math.floor(f.integral(b) * 1e9)).toBeGreaterThanOrEqual(Math.floor(f.integral(a) * 1e9));
    }),
  );
});

test('maxBetween bounds every value inside the interval', () => {
  fc.assert(
    fc.property(
      profile,
      seconds,
      fc.double({ min: 0, max: 900, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (p, a, width, where) => {
        const f = createProfileFunction(p, NOISE);
        expect(f.valueAt(a + width * where)).toBeLessThanOrEqual(f.maxBetween(a, a + width) + 1e-9);
      },
    ),
  );
});

test('the integral of a smooth profile matches Simpson integration of its values', () => {
  const f = createProfileFunction(
    { shape: { kind: 'sine', mean: 0.4, amplitude: 0.25, periodMs: 90_000, phaseMs: 12_000 }, noise: 0.1 },
    NOISE,
  );
  const [a, b, n] = [1234.5, 1294.5, 600];
  const h = (b - a) / n;
  let simpson = f.valueAt(a) + f.valueAt(b);
  for (let i = 1; i < n; i++) simpson += (i % 2 === 0 ? 2 : 4) * f.valueAt(a + i * h);
  simpson *= h / 3;
  expect(f.integral(b) - f.integral(a)).toBeCloseTo(simpson, 9);
});

test('steps and spikes integrate exactly', () => {
  const steps = createProfileFunction(
    {
      shape: {
        kind: 'steps',
        steps: [
          { atMs: 0, value: 1 },
          { atMs: 10_000, value: 3 },
        ],
      },
      noise: 0,
    },
    NOISE,
  );
  expect(steps.integral(25)).toBe(10 * 1 + 15 * 3);
  const spikes = createProfileFunction(
    {
      shape: { kind: 'spikes', base: 1, peak: 5, everyMs: 60_000, durationMs: 10_000, offsetMs: 30_000 },
      noise: 0,
    },
    NOISE,
  );
  // [0, 150 s]: spikes at 30–40 s and 90–100 s, plus 150 s of base.
  expect(spikes.integral(150)).toBe(150 + 2 * 10 * 4);
  expect(spikes.maxBetween(41, 89)).toBe(1);
  expect(spikes.maxBetween(41, 90)).toBe(5);
});
