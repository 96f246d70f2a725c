import { exitCodeOf, InputError, TaskscopeError } from '@taskscope/input';
import { describe, expect, it } from 'vitest';
import { FaultSpecError, MOCK_ERROR_CODES, MockInputError, RecordingError } from '../../src/common/errors.js';
import { parseFault } from '../../src/faults/fault-spec.js';
import { listenAddress } from '../../src/http/server.js';
import * as entry from '../../src/index.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { parseRecording } from '../../src/sources/recording.js';
import { resolveSourceSync, startTimeMs } from '../../src/sources/resolve-source.js';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('the mock on the one error model', () => {
  it('exports its codes from the package entry, named AREA_SUBJECT', () => {
    expect(entry.MOCK_ERROR_CODES).toBe(MOCK_ERROR_CODES);
    expect([...MOCK_ERROR_CODES]).toEqual([
      'MOCK_CONFIG',
      'MOCK_FAULT',
      'MOCK_LISTEN',
      'MOCK_RECORDING',
      'MOCK_SCENARIO',
    ]);
    for (const code of MOCK_ERROR_CODES) expect(code).toMatch(/^MOCK_[A-Z]+$/);
  });

  it('raises input errors (exit 2) with a code from the list and the one message shape', () => {
    const cases: Array<[unknown, abstract new (...args: never) => MockInputError, string, string]> = [
      [
        thrown(() => parseFault('slow=soon')),
        FaultSpecError,
        'MOCK_FAULT',
        'fault "slow=soon": field "slow duration" is "soon" (string); expected a duration such as 500ms, 3s or 1m',
      ],
      [
        thrown(() =>
          parseRecording(
            '{"format":"x","version":1,"api":"v4","recordedAt":"2025-01-01T00:00:00Z"}',
            'capture.jsonl',
          ),
        ),
        RecordingError,
        'MOCK_RECORDING',
        'capture.jsonl line 1 (the header): field "format" is "x" (string); expected one of "taskscope-recording"',
      ],
      [
        thrown(() => entry.builtInScenario('nope')),
        ScenarioError,
        'MOCK_SCENARIO',
        'mock options: field "scenario" is "nope" (string); expected a built-in: fargate-web, fargate-10, ec2-bridge, ec2-cgroup2, fargate-windows, stopped-container',
      ],
      [
        thrown(() => startTimeMs('yesterday', 0)),
        MockInputError,
        'MOCK_CONFIG',
        'mock options: field "startTime" is "yesterday" (string); expected an ISO 8601 date-time such as 2025-01-01T00:00:00Z, a Date or ms since the epoch',
      ],
      [
        thrown(() => resolveSourceSync({ taskMetadata: '{}' }, 0)),
        MockInputError,
        'MOCK_CONFIG',
        'mock options: field "taskStats" is missing; expected captured task stats too: taskMetadata and taskStats go together',
      ],
    ];
    for (const [error, type, code, message] of cases) {
      expect(error).toBeInstanceOf(type);
      expect(error).toBeInstanceOf(MockInputError);
      expect(error).toBeInstanceOf(InputError);
      expect(error).toBeInstanceOf(TaskscopeError);
      const input = error as MockInputError;
      expect(input.code).toBe(code);
      expect(MOCK_ERROR_CODES).toContain(input.code);
      expect(input.origin).toBe('input');
      expect(exitCodeOf(input)).toBe(2);
      expect(input.message).toBe(message);
      expect(input.problems).toHaveLength(1);
    }
  });

  it('names the line of a recording error', () => {
    const header = entry.formatRecordingHeader('v4', new Date(0));
    const error = thrown(() => parseRecording(`${header}\n\n{"offsetMs":0}`)) as RecordingError;
    expect(error.line).toBe(3);
    expect(error.problems.map((problem) => problem.field)).toEqual(['path', 'status']);
    expect(error.message).toBe(
      'recording line 3 (2 problems):\n  field "path" is missing; expected a string\n  field "status" is missing; expected a number',
    );
  });

  it("refuses a cadenceMs outside a scenario file's range, 100 to 60000 ms, as MOCK_CONFIG", async () => {
    for (const cadenceMs of [0, 5, 99, 60_001, 3_600_000, 100.5, Number.NaN]) {
      const error = thrown(() =>
        resolveSourceSync({ scenario: 'fargate-web', cadenceMs }, 0),
      ) as MockInputError;
      expect(error).toBeInstanceOf(MockInputError);
      expect([cadenceMs, error.code, error.field]).toEqual([cadenceMs, 'MOCK_CONFIG', 'cadenceMs']);
      expect(error.message).toMatch(
        /^mock options: field "cadenceMs" is .+; expected whole milliseconds from 100 to 60000$/,
      );
      await expect(entry.startMock({ cadenceMs })).rejects.toBeInstanceOf(MockInputError);
    }
    for (const cadenceMs of [100, 60_000]) expect(() => resolveSourceSync({ cadenceMs }, 0)).not.toThrow();
  });

  it('reads listen addresses in the shared HOST:PORT grammar and rejects others as MOCK_CONFIG', () => {
    expect(listenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(listenAddress(' [::1]:9780 ')).toEqual({ host: '::1', port: 9780 });
    expect(listenAddress({ host: 'localhost', port: 80 })).toEqual({ host: 'localhost', port: 80 });
    for (const bad of ['nowhere', '127.0.0.1:65536', ':80', '[::1]']) {
      const error = thrown(() => listenAddress(bad)) as MockInputError;
      expect(error).toBeInstanceOf(MockInputError);
      expect(error.code).toBe('MOCK_CONFIG');
      expect(error.field).toBe('listen');
      expect(error.value).toBe(bad);
      expect(error.message).toBe(
        `mock options: field "listen" is ${JSON.stringify(bad)} (string); expected HOST:PORT such as 127.0.0.1:9780 or [::]:9780, port 0 to 65535`,
      );
    }
  });
});
