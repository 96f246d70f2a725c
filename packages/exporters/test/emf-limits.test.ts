import { emfProblems } from '@taskscope/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEmfEmitter } from '../src/emf/emitter.js';
import {
  EMF_MAX_DIMENSION_NAME_CHARS,
  EMF_MAX_DIMENSION_VALUE_CHARS,
  EMF_MAX_DIMENSIONS_PER_SET,
  type EmfDropCounts,
  isDimensionName,
  isDimensionValue,
  usableDimensionSets,
} from '../src/emf/limits.js';
import { translateEmf } from '../src/emf/translate.js';
import { appContainer, fargateTask } from './helpers/task-metrics.js';

/*
 * CloudWatch's dimension rules (Amazon CloudWatch API Reference, "Dimension") applied to what
 * the task names carry, and task names of any text escaped into one valid JSON line.
 */

const NS = 'ECS/Taskscope';
/** Quotes, a backslash, a newline, a control character, a line separator and non-ASCII. */
const HOSTILE = 'we"ird\\na\nme\u0007\u2028 容器 ✓ 🚀';

const counts = (): EmfDropCounts => ({ droppedDimensionSets: 0, droppedEvents: 0 });

describe('dimension rules', () => {
  it('takes 1 to 1024 printable ASCII characters with one that is not a space as a value', () => {
    expect(isDimensionValue('a')).toBe(true);
    expect(isDimensionValue('x'.repeat(EMF_MAX_DIMENSION_VALUE_CHARS))).toBe(true);
    expect(isDimensionValue('my cluster_1:a/b.c#d')).toBe(true);
    for (const bad of [
      '',
      '   ',
      'x'.repeat(EMF_MAX_DIMENSION_VALUE_CHARS + 1),
      'tab\there',
      'line\nbreak',
      'nul\u0000',
      'del\u007f',
      'é',
      '容器',
      undefined,
      42,
    ]) {
      expect(isDimensionValue(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('takes 1 to 255 printable ASCII characters not starting with ":" as a name', () => {
    expect(isDimensionName('ClusterName')).toBe(true);
    expect(isDimensionName('n'.repeat(EMF_MAX_DIMENSION_NAME_CHARS))).toBe(true);
    for (const bad of ['', ' ', ':Name', 'n'.repeat(EMF_MAX_DIMENSION_NAME_CHARS + 1), 'Näme', 'a\nb']) {
      expect(isDimensionName(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it(`drops, and counts, a set with a bad value, a missing key or more than ${EMF_MAX_DIMENSIONS_PER_SET} keys`, () => {
    const wide = Array.from({ length: EMF_MAX_DIMENSIONS_PER_SET + 1 }, (_, i) => `K${i}`);
    const members = Object.fromEntries([...wide.map((k) => [k, 'v']), ['Bad', 'é'], ['Good', 'ok']]);
    const c = counts();
    const sets = [['Good'], ['Good', 'Bad'], ['Missing'], wide, wide.slice(0, EMF_MAX_DIMENSIONS_PER_SET)];
    expect(usableDimensionSets(sets, members, c)).toEqual([
      ['Good'],
      wide.slice(0, EMF_MAX_DIMENSIONS_PER_SET),
    ]);
    expect(c).toEqual({ droppedDimensionSets: 3, droppedEvents: 0 });
  });
});

describe('translateEmf with task names of any text', () => {
  it('keeps the sets of clean names, drops the ones a bad name is in, and writes every value escaped', () => {
    const task = fargateTask({
      identity: { ...fargateTask().identity, serviceName: HOSTILE, taskArn: HOSTILE },
      containers: [
        appContainer({ name: HOSTILE, image: HOSTILE }),
        appContainer({ name: 'clean', image: HOSTILE }),
      ],
    });
    const c = counts();
    const events = translateEmf(task, { namespace: NS, containerMetrics: true, dropped: c });
    // Task: [ClusterName] and [ClusterName, TaskDefinitionFamily] stay, the ServiceName set goes;
    // the container named HOSTILE has no set left, so no event; the clean one keeps its own.
    expect(
      events.map((e) => [e['Type'], e['ContainerName'], e._aws.CloudWatchMetrics[0]!.Dimensions]),
    ).toEqual([
      ['Task', undefined, [['ClusterName'], ['ClusterName', 'TaskDefinitionFamily']]],
      ['Container', 'clean', [['ClusterName', 'TaskDefinitionFamily', 'ContainerName']]],
    ]);
    expect(c).toEqual({ droppedDimensionSets: 2, droppedEvents: 1 });
    // Properties carry the text as it is; each event is one line of valid EMF.
    expect(events[0]!['ServiceName']).toBe(HOSTILE);
    expect(events[0]!['TaskARN']).toBe(HOSTILE);
    expect(events[1]!['Image']).toBe(HOSTILE);
    const lines: string[] = [];
    const emitter = createEmfEmitter({ namespace: NS, containerMetrics: true, write: (l) => lines.push(l) });
    emitter.emit(task);
    expect(emitter.dropped()).toEqual({ droppedDimensionSets: 2, droppedEvents: 1 });
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.endsWith('\n')).toBe(true);
      // One line: the newline inside the name is escaped, and so is every control character.
      expect([...line.slice(0, -1)].filter((ch) => ch.charCodeAt(0) < 0x20)).toEqual([]);
      expect(emfProblems(line.slice(0, -1))).toEqual([]);
    }
    expect(JSON.parse(lines[1]!)['Image']).toBe(HOSTILE);
  });

  it('writes no event when the cluster name breaks the rules: every set names it', () => {
    const c = counts();
    const task = fargateTask({ identity: { ...fargateTask().identity, clusterName: 'x'.repeat(1025) } });
    expect(translateEmf(task, { namespace: NS, containerMetrics: true, dropped: c })).toEqual([]);
    expect(c).toEqual({ droppedDimensionSets: 4, droppedEvents: 2 });
  });

  it('for any names, writes only valid one-line EMF whose dimension values pass the rules', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 1100 }),
        fc.string({ unit: 'binary' }),
        (cluster, name) => {
          const task = fargateTask({
            identity: { ...fargateTask().identity, clusterName: cluster, family: name },
            containers: [appContainer({ name, image: cluster })],
          });
          const c = counts();
          const events = translateEmf(task, { namespace: NS, containerMetrics: true, dropped: c });
          const clean = isDimensionValue(cluster) && isDimensionValue(name);
          expect(events.length).toBe(clean ? 2 : isDimensionValue(cluster) ? 1 : 0);
          for (const event of events) {
            const line = JSON.stringify(event);
            expect(emfProblems(line)).toEqual([]);
            expect(line).not.toMatch(/[\n\r]/);
            for (const set of event._aws.CloudWatchMetrics[0]!.Dimensions)
              for (const key of set) expect(isDimensionValue(event[key])).toBe(true);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
