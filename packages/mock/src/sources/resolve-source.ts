import { MOCK_OPTIONS_SOURCE, MockInputError } from '../common/errors.js';
import {
  builtInScenario,
  builtInScenarioNames,
  createScenarioSource,
  loadScenario,
  type Scenario,
} from '../scenario/index.js';
import type { PayloadSource } from './payload-source.js';
import type { Recording } from './recording.js';
import { createReplaySource, type ReplayMode } from './replay-source.js';
import { createStaticSource, runningFirst } from './static-source.js';

/**
 * The stats refresh cadences a scenario file allows (its `cadence`), and so `cadenceMs` and
 * `--cadence`: faster than 100 ms no agent could tell refreshes apart, slower than 60 s no
 * real endpoint refreshes; 0 made the first stats request throw (issue #10).
 */
export const MIN_CADENCE_MS = 100;
export const MAX_CADENCE_MS = 60_000;

/** The built-in scenario served when no source is chosen (docs/contract.md, `--scenario`). */
export const DEFAULT_SCENARIO = 'fargate-web';

/** What to serve: exactly one of a scenario, captured payloads, a recording or a custom source. */
export interface MockSourceOptions {
  /** A built-in name, a .json/.yaml/.yml file path or a Scenario; default `fargate-web`. */
  readonly scenario?: string | Scenario;
  /** Captured task metadata (JSON text, kept byte for byte, or a value); needs `taskStats`. */
  readonly taskMetadata?: string | object;
  readonly taskStats?: string | object;
  /** A recording's text (or a parsed one). */
  readonly replay?: string | Recording;
  /** Default `time`. */
  readonly replayMode?: ReplayMode;
  /** Any other source. */
  readonly source?: PayloadSource;
  /** Seeds the scenario and the faults; default 1. */
  readonly seed?: number;
  /** The scenario clock's origin and replay's time origin; default now. */
  readonly startTime?: number | string | Date;
  /** Overrides the scenario's stats refresh cadence. */
  readonly cadenceMs?: number;
  /**
   * Scenarios only, instead of `startTime`: the task has been running this long when the mock
   * starts (the origin is now − `runningForMs`), so the first request already finds RUNNING
   * containers with a sample and its previous one. `taskscope demo` uses it.
   */
  readonly runningForMs?: number;
}

/** Builds the source the options describe; scenario files are read here. */
export async function resolveSource(options: MockSourceOptions, nowMs: number): Promise<PayloadSource> {
  checkCadence(options.cadenceMs);
  const chosen = chooseSource(options, nowMs);
  if (chosen !== undefined) return chosen;
  const scenario =
    typeof options.scenario === 'object'
      ? options.scenario
      : await loadScenario(options.scenario ?? DEFAULT_SCENARIO);
  return scenarioSource(scenario, options, nowMs);
}

/**
 * The same without I/O, for msw handlers that must exist before the first request: a
 * scenario is a built-in name or a Scenario value.
 */
export function resolveSourceSync(options: MockSourceOptions, nowMs: number): PayloadSource {
  checkCadence(options.cadenceMs);
  const chosen = chooseSource(options, nowMs);
  if (chosen !== undefined) return chosen;
  const name = options.scenario ?? DEFAULT_SCENARIO;
  if (typeof name === 'string' && !builtInScenarioNames.includes(name)) {
    throw new MockInputError('MOCK_CONFIG', MOCK_OPTIONS_SOURCE, [
      {
        field: 'scenario',
        value: name,
        allowed: `a built-in (${builtInScenarioNames.join(', ')}) or a Scenario value; for a file, pass await loadScenario(file)`,
      },
    ]);
  }
  return scenarioSource(typeof name === 'string' ? builtInScenario(name) : name, options, nowMs);
}

function checkCadence(cadenceMs: number | undefined): void {
  if (cadenceMs === undefined) return;
  if (Number.isInteger(cadenceMs) && cadenceMs >= MIN_CADENCE_MS && cadenceMs <= MAX_CADENCE_MS) return;
  throw new MockInputError('MOCK_CONFIG', MOCK_OPTIONS_SOURCE, [
    {
      field: 'cadenceMs',
      value: cadenceMs,
      allowed: `whole milliseconds from ${MIN_CADENCE_MS} to ${MAX_CADENCE_MS}`,
    },
  ]);
}

function chooseSource(options: MockSourceOptions, nowMs: number): PayloadSource | undefined {
  checkRunningFor(options);
  const given = (
    [
      ['scenario', options.scenario],
      ['taskMetadata', options.taskMetadata ?? options.taskStats],
      ['replay', options.replay],
      ['source', options.source],
    ] as const
  ).filter(([, value]) => value !== undefined);
  if (given.length > 1) {
    // One problem per source beyond the first, each naming the one it conflicts with.
    const [first] = given[0]!;
    throw new MockInputError(
      'MOCK_CONFIG',
      MOCK_OPTIONS_SOURCE,
      given.slice(1).map(([field, value]) => ({
        field: field === 'taskMetadata' && options.taskMetadata === undefined ? 'taskStats' : field,
        value,
        allowed: `nothing when ${first} is set (choose one source: scenario, taskMetadata with taskStats, replay or source)`,
      })),
    );
  }
  if (options.source !== undefined) return options.source;
  if (options.taskMetadata !== undefined || options.taskStats !== undefined) {
    if (options.taskMetadata === undefined || options.taskStats === undefined) {
      const missing = options.taskMetadata === undefined ? 'taskMetadata' : 'taskStats';
      const other = missing === 'taskMetadata' ? 'taskStats' : 'taskMetadata';
      throw new MockInputError('MOCK_CONFIG', MOCK_OPTIONS_SOURCE, [
        {
          field: missing,
          value: undefined,
          allowed: `captured ${missing === 'taskMetadata' ? 'task metadata' : 'task stats'} too: ${other} and ${missing} go together`,
        },
      ]);
    }
    return createStaticSource({ taskMetadata: options.taskMetadata, taskStats: options.taskStats });
  }
  if (options.replay !== undefined) {
    return createReplaySource(options.replay, {
      mode: options.replayMode ?? 'time',
      startTimeMs: startTimeMs(options.startTime, nowMs),
    });
  }
  return undefined;
}

function scenarioSource(scenario: Scenario, options: MockSourceOptions, nowMs: number): PayloadSource {
  const source = createScenarioSource(scenario, {
    seed: options.seed ?? 1,
    startTimeMs: startTimeMs(options.startTime, nowMs) - (options.runningForMs ?? 0),
    ...(options.cadenceMs === undefined ? {} : { cadenceMs: options.cadenceMs }),
  });
  // Running containers first, as for captured payloads: the first endpoint's URL is the one
  // `taskscope mock` prints, and a scenario may list an init container that has exited first.
  const state = new Map(scenario.containers.map((c) => [c.name, c.state]));
  const endpoints = Object.freeze(
    runningFirst(source.endpoints(), (e) => state.get(e.containerName) === 'RUNNING'),
  );
  return { ...source, endpoints: () => endpoints };
}

/** `runningForMs`: a non-negative number of ms, for a scenario, and not with `startTime`. */
function checkRunningFor(options: MockSourceOptions): void {
  const runningForMs = options.runningForMs;
  if (runningForMs === undefined) return;
  const problem = (allowed: string) =>
    new MockInputError('MOCK_CONFIG', MOCK_OPTIONS_SOURCE, [
      { field: 'runningForMs', value: runningForMs, allowed },
    ]);
  if (typeof runningForMs !== 'number' || !Number.isFinite(runningForMs) || runningForMs < 0)
    throw problem('a number of ms ≥ 0, such as 45000');
  if (options.startTime !== undefined)
    throw problem('nothing when startTime is set (both place the origin: choose one)');
  if (
    options.taskMetadata !== undefined ||
    options.taskStats !== undefined ||
    options.replay !== undefined ||
    options.source !== undefined
  )
    throw problem(
      'nothing unless the source is a scenario (captured payloads and recordings keep their own times)',
    );
}

/** ms since the epoch from a number, Date or ISO text; `nowMs` when absent. */
export function startTimeMs(startTime: number | string | Date | undefined, nowMs: number): number {
  if (startTime === undefined) return nowMs;
  const ms =
    typeof startTime === 'number'
      ? startTime
      : typeof startTime === 'string'
        ? Date.parse(startTime)
        : startTime.getTime();
  if (!Number.isFinite(ms)) {
    throw new MockInputError('MOCK_CONFIG', MOCK_OPTIONS_SOURCE, [
      {
        field: 'startTime',
        value: startTime,
        allowed: 'an ISO 8601 date-time such as 2025-01-01T00:00:00Z, a Date or ms since the epoch',
      },
    ]);
  }
  return ms;
}
