import fc from 'fast-check';
import { expect, test } from 'vitest';
import {
  exitCodeOf,
  fieldWords,
  formatProblem,
  InputError,
  inputErrorClass,
  isTaskscopeError,
  listenErrorClass,
  TaskscopeError,
} from '../src/index.js';

test('input is exit 2, the world exit 1, anything else 1', () => {
  const input = new InputError('AGENT_CONFIG', 'agent configuration', [
    { field: '--interval', value: '5ms', allowed: 'a duration from 100ms to 1h' },
  ]);
  const world = new TaskscopeError('TMDS_TIMEOUT', 'world', 'GET x: no response within 2000 ms');
  expect([input.exitCode, world.exitCode, exitCodeOf(new Error('x')), exitCodeOf('text')]).toEqual([
    2, 1, 1, 1,
  ]);
  expect([exitCodeOf(input), exitCodeOf(world)]).toEqual([2, 1]);
  expect(input).toBeInstanceOf(TaskscopeError);
  expect(isTaskscopeError(input)).toBe(true);
  expect(isTaskscopeError(input, 'TMDS_TIMEOUT')).toBe(false);
  expect(isTaskscopeError(world, 'AGENT_CONFIG', 'TMDS_TIMEOUT')).toBe(true);
  expect(isTaskscopeError(new Error('x'))).toBe(false);
});

test('one message shape: the field as the user knows it, the value with its kind, what is allowed', () => {
  expect(formatProblem({ field: '--interval', value: '5ms', allowed: 'a duration' })).toBe(
    '--interval is "5ms" (string); expected a duration',
  );
  expect(formatProblem({ field: 'TASKSCOPE_NO_THROTTLE', value: 'banana', allowed: 'true or false' })).toBe(
    'TASKSCOPE_NO_THROTTLE is "banana" (string); expected true or false',
  );
  expect(formatProblem({ field: 'containers.0.cpu', value: -1, allowed: 'a value ≥ 0' })).toBe(
    'field "containers.0.cpu" is -1 (number); expected a value ≥ 0',
  );
  expect(formatProblem({ field: '', value: [], allowed: 'an object' })).toBe(
    'the value is [] (array); expected an object',
  );
  expect(formatProblem({ field: 'name', value: undefined, allowed: 'a string' })).toBe(
    'field "name" is missing; expected a string',
  );
  expect([fieldWords('-l'), fieldWords('AWS_REGION'), fieldWords('Containers.0.Name')]).toEqual([
    '-l',
    'AWS_REGION',
    'field "Containers.0.Name"',
  ]);
});

test('one problem is one line; several are listed, first first; the first is on the error', () => {
  const one = new InputError('MOCK_SCENARIO', 'scenario web.yaml', [
    { field: 'cadence', value: '0s', allowed: 'a duration from 100ms to 1m' },
  ]);
  expect(one.message).toBe(
    'scenario web.yaml: field "cadence" is "0s" (string); expected a duration from 100ms to 1m',
  );
  const two = new InputError(
    'AGENT_CONFIG',
    'invalid agent configuration',
    [
      { field: '--interval', value: 'x', allowed: 'a duration' },
      { field: 'TASKSCOPE_LISTEN', value: 'nowhere', allowed: 'HOST:PORT' },
    ],
    { cause: new Error('inner') },
  );
  expect(two.message).toBe(
    'invalid agent configuration (2 problems):\n' +
      '  --interval is "x" (string); expected a duration\n' +
      '  TASKSCOPE_LISTEN is "nowhere" (string); expected HOST:PORT',
  );
  expect([two.field, two.value, two.allowed, two.code, two.origin]).toEqual([
    '--interval',
    'x',
    'a duration',
    'AGENT_CONFIG',
    'input',
  ]);
  expect((two.cause as Error).message).toBe('inner');
  expect(() => new InputError('X_Y', 'x', [])).toThrow(RangeError);
});

test('property: a message has one line per problem, each naming its field', () => {
  const problem = fc.record({
    field: fc.stringMatching(/^[a-z][a-z.0-9]{0,12}$/),
    value: fc.jsonValue(),
    allowed: fc.stringMatching(/^[a-z ]{1,20}$/),
  });
  fc.assert(
    fc.property(fc.array(problem, { minLength: 1, maxLength: 6 }), (problems) => {
      const lines = new InputError('X_Y', 'src', problems).message.split('\n');
      expect(lines.length).toBe(problems.length === 1 ? 1 : problems.length + 1);
      const body = problems.length === 1 ? lines : lines.slice(1);
      body.forEach((line, index) => {
        expect(line).toContain(`field "${problems[index]!.field}"`);
        expect(line).toContain(`expected ${problems[index]!.allowed}`);
      });
    }),
    { numRuns: 200 },
  );
});

test('inputErrorClass: an InputError of one code and source, built from its problems alone', () => {
  class ExampleConfigError extends inputErrorClass(
    'ExampleConfigError',
    'EXAMPLE_CONFIG',
    'invalid example',
  ) {}
  const problems = [
    { field: '--interval', value: '5ms', allowed: 'a duration from 100ms to 1h' },
    { field: 'EXAMPLE_PORT', value: 'x', allowed: 'a port from 0 to 65535' },
  ];
  const error = new ExampleConfigError(problems);
  expect(error).toBeInstanceOf(ExampleConfigError);
  expect(error).toBeInstanceOf(InputError);
  expect(error).toBeInstanceOf(TaskscopeError);
  expect(error.name).toBe('ExampleConfigError');
  expect(error.code).toBe('EXAMPLE_CONFIG');
  expect(error.origin).toBe('input');
  expect(error.source).toBe('invalid example');
  expect(error.problems).toBe(problems);
  expect(error.message).toBe(
    'invalid example (2 problems):\n  --interval is "5ms" (string); expected a duration from 100ms to 1h\n  EXAMPLE_PORT is "x" (string); expected a port from 0 to 65535',
  );
  expect(exitCodeOf(error)).toBe(2);
});

test('listenErrorClass: one code, the address, the system code and the setting, in one line', () => {
  class ExampleListenError extends listenErrorClass('ExampleListenError', 'EXAMPLE_LISTEN', '--listen') {}
  const cause = Object.assign(new Error('listen EADDRINUSE: address already in use ::1:9780'), {
    code: 'EADDRINUSE',
  });
  const error = new ExampleListenError('::1', 9780, 'EADDRINUSE', cause);
  expect(error).toBeInstanceOf(ExampleListenError);
  expect(error).toBeInstanceOf(TaskscopeError);
  expect(error).not.toBeInstanceOf(InputError);
  expect([error.name, error.code, error.origin, exitCodeOf(error)]).toEqual([
    'ExampleListenError',
    'EXAMPLE_LISTEN',
    'input',
    2,
  ]);
  expect([error.host, error.port, error.systemCode, error.field, error.cause]).toEqual([
    '::1',
    9780,
    'EADDRINUSE',
    '--listen',
    cause,
  ]);
  expect(error.message).toBe(
    '--listen [::1]:9780: address in use (another process listens there); expected a free port on an address of this host (port 0 picks one)',
  );
  const named = new ExampleListenError('0.0.0.0', 80, 'EACCES', cause, 'EXAMPLE_LISTEN_ADDRESS');
  expect(named.field).toBe('EXAMPLE_LISTEN_ADDRESS');
  expect(named.message).toBe(
    'EXAMPLE_LISTEN_ADDRESS 0.0.0.0:80: permission denied (ports below 1024 need privileges); expected a free port on an address of this host (port 0 picks one)',
  );
});
