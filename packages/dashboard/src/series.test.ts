import fc from 'fast-check';
import { expect, test } from 'vitest';
import { SeriesStore } from './series.js';
import { containerOf, snapshotOf } from './testing/snapshots.js';

const T0 = 1_767_607_200_000;

function at(id: number, containers = ['app', 'worker'], cores = 0.5) {
  return snapshotOf({
    id,
    containers: containers.map((name) =>
      containerOf({ name, cpu: { cores, percentOfTask: null, limitCores: null } }),
    ),
  });
}

test('one point per new id; replays and older ids change nothing', () => {
  const store = new SeriesStore();
  expect(store.add(at(T0))).toBe(true);
  expect(store.add(at(T0 + 1000))).toBe(true);
  expect(store.add(at(T0 + 1000))).toBe(false);
  expect(store.add(at(T0 + 500))).toBe(false);
  expect(store.add(snapshotOf({ id: null }))).toBe(false);
  expect(store.times).toEqual([T0 / 1000, T0 / 1000 + 1]);
  expect(store.task.cpuCores).toEqual([0.5, 0.5]);
  expect(store.newestId).toBe(T0 + 1000);
});

test('a container that comes late has gaps before it; one that went has gaps after', () => {
  const store = new SeriesStore();
  store.add(at(T0, ['app']));
  store.add(at(T0 + 1000, ['app', 'late']));
  store.add(at(T0 + 2000, ['late']));
  expect(store.container('app').cpuCores).toEqual([0.5, 0.5, null]);
  expect(store.container('late').cpuCores).toEqual([null, 0.5, 0.5]);
  expect(store.container('never').cpuCores).toEqual([null, null, null]);
});

test('not reported stays a gap (null), not 0', () => {
  const store = new SeriesStore();
  store.add(snapshotOf({ id: T0, totals: null }));
  expect(store.task.cpuCores).toEqual([null]);
  expect(store.task.memoryBytes).toEqual([null]);
});

test('the window drops points older than the retention', () => {
  const store = new SeriesStore(100, 10_000);
  for (let i = 0; i <= 20; i += 1) store.add(at(T0 + i * 1000));
  expect(store.times[0]).toBe(T0 / 1000 + 10);
  expect(store.length).toBe(11);
});

test('a container gone for the whole window is forgotten', () => {
  const store = new SeriesStore(3, 60_000);
  store.add(at(T0, ['gone', 'app']));
  for (let i = 1; i <= 3; i += 1) store.add(at(T0 + i * 1000, ['app']));
  // container() of a forgotten name starts again with nulls for every point kept.
  expect(store.container('gone').cpuCores).toEqual([null, null, null]);
});

test('property: bounded by capacity, times ascending, every column aligned', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 20 }),
      fc.array(
        fc.record({ step: fc.integer({ min: -2000, max: 5000 }), names: fc.subarray(['a', 'b', 'c']) }),
        { maxLength: 60 },
      ),
      (capacity, steps) => {
        const store = new SeriesStore(capacity, 3600_000);
        let id = T0;
        for (const { step, names } of steps) {
          id += step;
          store.add(at(id, names));
        }
        expect(store.length).toBeLessThanOrEqual(capacity);
        for (let i = 1; i < store.length; i += 1)
          expect(store.times[i]!).toBeGreaterThan(store.times[i - 1]!);
        for (const column of Object.values(store.task)) expect(column.length).toBe(store.length);
        for (const name of ['a', 'b', 'c']) {
          expect(store.container(name).cpuCores.length).toBe(store.length);
          expect(store.container(name).memoryBytes.length).toBe(store.length);
        }
      },
    ),
  );
});

test('a capacity below 2 is refused', () => {
  expect(() => new SeriesStore(1)).toThrow('capacity 1: at least 2');
});
