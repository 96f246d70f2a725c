import type { ApiVersion } from '@taskscope/wire';
import type { ScenarioSource } from '../../src/scenario/index.js';
import type { MockAnswer, MockRoute } from '../../src/sources/payload-source.js';

/** 2025-02-27T05:06:19.123Z, the day the ecs_exporter fixtures were captured. */
export const ORIGIN_MS = Date.UTC(2025, 1, 27, 5, 6, 19, 123);

export function ask(
  source: ScenarioSource,
  version: ApiVersion,
  route: MockRoute,
  nowMs: number,
): MockAnswer | undefined {
  return source.respond({ version, route, nowMs, relativePath: '' });
}

/** The answer's JSON text, whichever form it came in. */
export function textOf(answer: MockAnswer | undefined): string {
  if (!answer) throw new Error('no answer');
  return 'rawBody' in answer ? answer.rawBody : JSON.stringify(answer.body);
}

export function jsonOf(answer: MockAnswer | undefined): unknown {
  return JSON.parse(textOf(answer));
}

export function taskStatsText(source: ScenarioSource, version: ApiVersion, nowMs: number): string {
  return textOf(ask(source, version, { kind: 'taskStats' }, nowMs));
}

export function taskMetadataJson(
  source: ScenarioSource,
  version: ApiVersion,
  nowMs: number,
  withTags = false,
): unknown {
  return jsonOf(ask(source, version, { kind: 'task', withTags }, nowMs));
}

/**
 * Every `path: type` in a JSON value. Array items share `[]`; keys that are data (stats map
 * DockerIds, interface names, label and tag keys) become `*`, so two payloads compare by
 * shape rather than by content.
 */
export function shapeOf(value: unknown, path = '', out = new Set<string>()): Set<string> {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  out.add(`${path || '.'}: ${type}`);
  if (Array.isArray(value)) for (const item of value) shapeOf(item, `${path}[]`, out);
  else if (value !== null && typeof value === 'object') {
    const dataKeys =
      path === '' && isStatsMap(value)
        ? true
        : /(networks|Labels|LogOptions|TaskTags|ContainerInstanceTags)$/.test(path);
    for (const [key, member] of Object.entries(value))
      shapeOf(member, `${path}.${dataKeys ? '*' : key}`, out);
  }
  return out;
}

function isStatsMap(value: object): boolean {
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => /^[0-9a-f]{32}-\d+$|^[0-9a-f]{64}$/.test(key));
}

/** Entries in `a` and not in `b`, sorted. */
export function minus(a: Set<string>, b: Set<string>): string[] {
  return [...a].filter((entry) => !b.has(entry)).sort();
}
