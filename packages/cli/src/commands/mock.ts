import { readFile } from 'node:fs/promises';
import type { HostPort } from '@taskscope/input';
import {
  assertReplayable,
  builtInScenarioNames,
  DEFAULT_SCENARIO,
  MAX_CADENCE_MS,
  MIN_CADENCE_MS,
  MockListenError,
  type MockServer,
  parseFault,
  parseRecording,
  type Recording,
  type StartMockOptions,
  startMock,
} from '@taskscope/mock';
import { parseTaskMetadata, parseTaskStats, WireSchemaError } from '@taskscope/wire';
import { type Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import {
  addSwitch,
  durationArgWithin,
  envNameOf,
  hostPortArg,
  nonNegativeIntegerArg,
  option,
} from '../options.js';
import { type WaitForStop, waitForSignal } from './signals.js';

interface MockFlags {
  readonly listen: HostPort;
  readonly scenario?: string;
  readonly taskMetadata?: string;
  readonly taskStats?: string;
  readonly replay?: string;
  readonly replayMode: 'time' | 'request';
  readonly fault: string[];
  readonly cadence?: number;
  readonly startTime?: number;
  readonly throttle?: boolean;
  readonly seed: number;
}

/** `taskscope mock` (docs/contract.md, "taskscope mock"). */
export function registerMockCommand(
  program: Command,
  io: CliIo,
  waitForStop: WaitForStop = waitForSignal,
): void {
  const command = program
    .command('mock')
    .description('the mock task metadata server: v2, v3 and v4 on one port, with faults and the ground truth')
    .addOption(
      option('mock', '--listen <host:port>', 'where to listen; port 0 picks a free port')
        .default({ host: '127.0.0.1', port: 0 } satisfies HostPort, '127.0.0.1:0')
        .argParser(hostPortArg),
    )
    .addOption(
      option(
        'mock',
        '--scenario <name|file>',
        `a built-in (${builtInScenarioNames.join(', ')}) or a .json/.yaml scenario file (default ${DEFAULT_SCENARIO})`,
      ),
    )
    .addOption(
      option(
        'mock',
        '--task-metadata <file>',
        'serve this captured task metadata as it is (with --task-stats)',
      ),
    )
    .addOption(
      option('mock', '--task-stats <file>', 'serve this captured task stats as it is (with --task-metadata)'),
    )
    .addOption(option('mock', '--replay <file>', 'serve a recording made by `taskscope record`'))
    .addOption(
      option(
        'mock',
        '--replay-mode <mode>',
        'time: frames by elapsed time; request: one frame per request of a path',
      )
        .choices(['time', 'request'])
        .default('time'),
    )
    .addOption(
      option('mock', '--fault <spec>', 'inject a fault, KIND[:PATH_GLOB][@PROBABILITY]; repeatable')
        .argParser(collectFault)
        .default([], 'none'),
    )
    .addOption(
      option(
        'mock',
        '--cadence <duration>',
        "stats refresh cadence, 100ms to 60s, e.g. 1s or 10s (default: the scenario's)",
      ).argParser(durationArgWithin(MIN_CADENCE_MS, MAX_CADENCE_MS)),
    )
    .addOption(
      option(
        'mock',
        '--start-time <iso>',
        'the scenario clock origin, an ISO 8601 date-time (default now)',
      ).argParser(parseIsoMs),
    )
    .addOption(
      option('mock', '--seed <n>', 'seeds all randomness: same seed and start time, same bytes')
        .default(1)
        .argParser(nonNegativeIntegerArg),
    );
  addSwitch(command, 'mock', {
    flag: '--no-throttle',
    description: 'turn off the 40/s, burst 60 throttling (for load tests)',
    oppositeDescription: 'throttle like the real endpoint (the default)',
  });
  command.action(async (flags: MockFlags) => {
    const listenField =
      command.getOptionValueSource('listen') === 'env' ? envNameOf('--listen', 'mock') : '--listen';
    const mock = await startFromFlags(flags, listenField);
    const first = mock.endpoints[0];
    const v3 = first === undefined ? `${mock.url}/v3` : mock.v3Urls[first.containerName];
    const v4 = first === undefined ? `${mock.url}/v4` : mock.v4Urls[first.containerName];
    io.stdout(`v2 ${mock.v2Url}\nv3 ${v3}\nv4 ${v4}\n`);
    await waitForStop();
    await mock.close();
  });
}

async function startFromFlags(flags: MockFlags, listenField: string): Promise<MockServer> {
  const chosen = [
    flags.scenario !== undefined && '--scenario',
    (flags.taskMetadata !== undefined || flags.taskStats !== undefined) && '--task-metadata/--task-stats',
    flags.replay !== undefined && '--replay',
  ].filter((flag): flag is string => typeof flag === 'string');
  if (chosen.length > 1) {
    throw new UsageError(
      `${chosen.join(' and ')} cannot be combined; choose one of --scenario, --task-metadata with --task-stats, --replay`,
    );
  }
  if ((flags.taskMetadata === undefined) !== (flags.taskStats === undefined)) {
    const [given, missing] =
      flags.taskMetadata === undefined
        ? ['--task-stats', '--task-metadata']
        : ['--task-metadata', '--task-stats'];
    throw new UsageError(`${given} needs ${missing}: captured payloads are served as a pair`);
  }

  const options: StartMockOptions = {
    listen: flags.listen,
    throttle: flags.throttle ?? true,
    faults: flags.fault,
    seed: flags.seed,
    ...(flags.startTime === undefined ? {} : { startTime: flags.startTime }),
    ...(flags.cadence === undefined ? {} : { cadenceMs: flags.cadence }),
    ...(flags.scenario === undefined ? {} : { scenario: flags.scenario }),
    ...(flags.taskMetadata !== undefined && flags.taskStats !== undefined
      ? await readCapturedPair(flags.taskMetadata, flags.taskStats)
      : {}),
    ...(flags.replay === undefined
      ? {}
      : { replay: await readRecording(flags.replay), replayMode: flags.replayMode }),
  };
  try {
    return await startMock(options);
  } catch (error) {
    // The mock names its option `listen`; the user typed the flag or set its variable.
    if (error instanceof MockListenError)
      throw new MockListenError(error.host, error.port, error.systemCode, error.cause, listenField);
    throw error;
  }
}

async function readText(flag: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`${flag} ${file}: cannot be read (${reason}); expected a readable file`, {
      cause: error,
    });
  }
}

/**
 * Both files' text, kept as is so values above 2^53 are served byte for byte, once each is
 * JSON and has its payload's shape. Both are read before either's shape is checked, so an
 * unreadable file is reported first. Each is parsed here, under the flag that named it: a
 * WireSchemaError alone would not say which file it came from.
 */
async function readCapturedPair(
  metadataFile: string,
  statsFile: string,
): Promise<{ taskMetadata: string; taskStats: string }> {
  const metadata = await readJsonFile('--task-metadata', metadataFile);
  const stats = await readJsonFile('--task-stats', statsFile);
  checkPayload('--task-metadata', metadataFile, metadata.json, parseTaskMetadata);
  checkPayload('--task-stats', statsFile, stats.json, parseTaskStats);
  return { taskMetadata: metadata.text, taskStats: stats.text };
}

async function readJsonFile(flag: string, file: string): Promise<{ text: string; json: unknown }> {
  const text = await readText(flag, file);
  try {
    return { text, json: JSON.parse(text) };
  } catch (error) {
    throw new UsageError(
      `${flag} ${file}: not JSON (${(error as Error).message}); expected a captured payload`,
      {
        cause: error,
      },
    );
  }
}

function checkPayload(flag: string, file: string, json: unknown, parse: (payload: unknown) => unknown): void {
  try {
    parse(json);
  } catch (error) {
    if (!(error instanceof WireSchemaError)) throw error;
    // A file the user gave: their input (exit 2), not an endpoint's payload (world, exit 1).
    throw new UsageError(`${flag} ${file}: ${error.message}`, { cause: error });
  }
}

async function readRecording(file: string): Promise<Recording> {
  // A bad line is the mock's RecordingError (MOCK_RECORDING): main prints it, exit 2.
  const origin = `--replay ${file}`;
  const recording = parseRecording(await readText('--replay', file), origin);
  // A recording that parses but has nothing to serve (MOCK_RECORDING too), named by its file.
  assertReplayable(recording, origin);
  return recording;
}

/** Commander collects repeated `--fault`s; TASKSCOPE_MOCK_FAULT may hold several separated by spaces. */
function collectFault(value: string, previous: string[]): string[] {
  // An empty SPEC is a mistake (a variable expanded to nothing), not "no fault": parseFault says so.
  const specs = value.trim() === '' ? [value] : value.split(/\s+/).filter((spec) => spec !== '');
  for (const spec of specs) {
    try {
      parseFault(spec);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  }
  return [...previous, ...specs];
}

function parseIsoMs(text: string): number {
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(text.trim())
    ? Date.parse(text)
    : Number.NaN;
  if (!Number.isFinite(ms))
    throw new InvalidArgumentError('expected an ISO 8601 date-time such as 2025-01-01T00:00:00Z');
  return ms;
}
