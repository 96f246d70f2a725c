import { isEmptyStats, parseTaskMetadata, parseTaskStats } from '@taskscope/wire';
import { parseJsonLossless, stringifyJson } from '../common/json-text.js';
import { statsWithoutSample } from './no-sample-answer.js';
import type { MockAnswer, MockEndpoint, PayloadSource } from './payload-source.js';

/** Captured payloads: the JSON text as captured (kept byte for byte) or a parsed value. */
export interface StaticSourceOptions {
  readonly taskMetadata: string | object;
  readonly taskStats: string | object;
}

type Json = Record<string, unknown>;

/**
 * Serves captured payloads as they are, on every version's paths (`--task-metadata`,
 * `--task-stats`). Task metadata and task stats go out as the original bytes, so values
 * above 2^53 survive; single containers are cut out of them losslessly. Endpoint ids are
 * the DockerIds, as on Fargate, listed RUNNING containers first. Invalid payloads throw
 * WireSchemaError naming the field.
 */
export function createStaticSource(options: StaticSourceOptions): PayloadSource {
  const metadataText = asText(options.taskMetadata);
  const statsText = asText(options.taskStats);
  // Validate with the same schemas the agent uses, so a typo fails here and not mid-test.
  parseTaskMetadata(JSON.parse(metadataText));
  parseTaskStats(JSON.parse(statsText));
  const metadata = parseJsonLossless(metadataText) as Json;
  const stats = parseJsonLossless(statsText) as Json;
  const containers = (Array.isArray(metadata['Containers']) ? metadata['Containers'] : []) as Json[];
  const containerById = new Map(containers.map((container) => [String(container['DockerId']), container]));
  // Running containers first (the payload's order otherwise): the first endpoint is the URL
  // `taskscope mock` prints, and a captured task often lists an exited init container first.
  const endpoints: MockEndpoint[] = runningFirst(containers, (c) => c['KnownStatus'] === 'RUNNING').map(
    (container) => ({
      containerName: String(container['Name']),
      dockerId: String(container['DockerId']),
      endpointId: String(container['DockerId']),
    }),
  );
  const textCache = new Map<string, string>();
  /** Cut-out bodies are serialised once: the payloads never change. */
  const cached = (key: string, value: unknown): string => {
    let text = textCache.get(key);
    if (text === undefined) {
      text = stringifyJson(value);
      textCache.set(key, text);
    }
    return text;
  };

  return {
    endpoints: () => endpoints,
    respond({ version, route }): MockAnswer | undefined {
      switch (route.kind) {
        case 'task':
          return { status: 200, rawBody: metadataText };
        case 'taskStats':
          return { status: 200, rawBody: statsText };
        case 'container': {
          const container = containerById.get(route.dockerId);
          if (container === undefined) return undefined;
          return { status: 200, rawBody: cached(`container ${route.dockerId}`, container) };
        }
        case 'containerStats': {
          const container = containerById.get(route.dockerId);
          const entry = stats[route.dockerId];
          if (container === undefined && !(route.dockerId in stats)) return undefined;
          if (isEmptyStats(entry)) {
            return statsWithoutSample(
              version,
              route.dockerId,
              container?.['KnownStatus'] as string | undefined,
            );
          }
          return { status: 200, rawBody: cached(`stats ${route.dockerId}`, entry) };
        }
      }
    },
  };
}

/** A stable reorder: the items `running` accepts first, each group in its original order. */
export function runningFirst<T>(items: readonly T[], running: (item: T) => boolean): T[] {
  return [...items.filter(running), ...items.filter((item) => !running(item))];
}

function asText(payload: string | object): string {
  return typeof payload === 'string' ? payload : stringifyJson(payload);
}
