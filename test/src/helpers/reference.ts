import { createProgram } from '@taskscope/cli';
import { computeTaskMetrics, type TaskMetrics } from '@taskscope/core';
import {
  createPrometheusEndpoint,
  type EmfEvent,
  OTLP_METRICS,
  TASK_LABEL_NAMES,
  translateEmf,
} from '@taskscope/exporters';
import { parseTaskMetadata, parseTaskStats } from '@taskscope/wire';
import type { Command, Option } from 'commander';
import { buildTaskPayload } from '../../bench/task-payload.js';

/*
 * The reference pages in docs/reference/, rendered from the code they describe: the CLI's
 * commander program (every command, flag, variable and default as `--help` shows them), the
 * Prometheus exposition the exporter really serves, the OTLP catalogue and the EMF events the
 * translator writes. reference.test.ts fails when a page differs from what this renders;
 * `npx vitest run src/reference.test.ts -u` (in test/) writes them anew.
 */

const GENERATED =
  '<!-- Generated from the code by test/src/helpers/reference.ts; test/src/reference.test.ts keeps it current. Do not edit by hand. -->';

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (text: string): string => `\`${text}\``;

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function descendantsOf(command: Command): Command[] {
  return command.commands.flatMap((sub) => [sub, ...descendantsOf(sub)]);
}

/**
 * One flag's row. Commander holds no default for the agent's flags (readAgentConfig applies
 * them after the variables), so the default is the one the description states, `(default …)`,
 * and a switch's variable is the one its description names, `(env: NAME=true|false)`.
 */
function optionRow(option: Option): string {
  let description = option.description;
  const take = (pattern: RegExp): string | undefined => {
    const match = pattern.exec(description);
    if (!match) return undefined;
    description = description.replace(match[0], '').trim();
    return match[1];
  };
  const stated = take(/\s*\(default:? ([^)]*)\)$/);
  const switchEnv = take(/\s*\(env: ([A-Z0-9_]+)=true\|false\)/);
  const env = option.envVar ?? switchEnv;
  const fallback =
    option.defaultValue !== undefined
      ? code(JSON.stringify(option.defaultValue))
      : stated
        ? cell(stated)
        : '';
  return `| ${code(option.flags)} | ${env ? code(env) : ''} | ${fallback} | ${cell(description)} |`;
}

/** docs/reference/cli.md: every command of `taskscope`, with its flags and their variables. */
export async function renderCliReference(): Promise<string> {
  const program = await createProgram([]);
  const lines = [
    GENERATED,
    '',
    '# CLI reference',
    '',
    'Every command of `taskscope`, its arguments and flags, and the environment variable each',
    'flag also reads (the flag wins). Defaults the code applies after reading a flag or its variable',
    'are in the description. The interface is specified in [contract.md](../contract.md), "CLI";',
    'exit codes: 0 done, 1 the world failed (endpoint, network, file), 2 a usage error.',
    '',
  ];
  for (const command of descendantsOf(program)) {
    if (command.commands.length > 0 && command.options.length === 0) {
      lines.push(`## \`taskscope ${commandPath(command)}\``, '', cell(command.description()), '');
      lines.push(`Subcommands: ${command.commands.map((sub) => code(sub.name())).join(', ')}.`, '');
      continue;
    }
    const args = command.registeredArguments.map((argument) =>
      argument.required ? `<${argument.name()}>` : `[${argument.name()}]`,
    );
    lines.push(
      `## \`taskscope ${[commandPath(command), ...args].join(' ')}\``,
      '',
      cell(command.description()),
      '',
    );
    const options = command.options.filter((option) => !option.hidden);
    if (options.length === 0) {
      lines.push('No flags.', '');
      continue;
    }
    lines.push('| flag | variable | default | meaning |', '|---|---|---|---|');
    for (const option of options) lines.push(optionRow(option));
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Two polls of a 3-container Fargate task built from a real payload: a fresh interval. */
function sampleMetrics(): TaskMetrics {
  const first = buildTaskPayload(3, 0);
  const second = buildTaskPayload(3, 1);
  const metadata = parseTaskMetadata(JSON.parse(first.metadataText));
  const before = computeTaskMetrics({ metadata, stats: parseTaskStats(JSON.parse(first.statsText)) });
  return computeTaskMetrics({
    metadata,
    stats: parseTaskStats(JSON.parse(second.statsText)),
    previous: before.state,
  }).metrics;
}

/** A cost sample: what the agent's cost meter gives on Fargate. */
const COST = { dollarsPerHour: 0.04937, estimatedDollarsSoFar: 0.0123 };

interface ExposedFamily {
  name: string;
  type: string;
  help: string;
  labels: Set<string>;
  samples: number;
}

/** The families of a text exposition, with the label names their samples carry. */
function familiesOf(text: string): ExposedFamily[] {
  const families = new Map<string, ExposedFamily>();
  const familyOf = (name: string) => {
    let family = families.get(name);
    if (!family) {
      family = { name, type: '', help: '', labels: new Set(), samples: 0 };
      families.set(name, family);
    }
    return family;
  };
  let current: ExposedFamily | undefined;
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      current = familyOf(meta[2]!);
      if (meta[1] === 'HELP') current.help = meta[3]!.replaceAll('\\\\', '\\').replaceAll('\\n', '\n');
      else current.type = meta[3]!;
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!sample || !current) continue;
    current.samples += 1;
    for (const label of sample[2]?.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g) ?? []) {
      if (label[1] !== 'le' && label[1] !== 'quantile') current.labels.add(label[1]!);
    }
  }
  return [...families.values()];
}

function emfSection(events: readonly EmfEvent[]): string[] {
  const lines = ['| event `Type` | dimension sets | metric | unit |', '|---|---|---|---|'];
  for (const event of events) {
    const type = String((event as unknown as Record<string, unknown>)['Type'] ?? '');
    for (const directive of event._aws.CloudWatchMetrics) {
      const dimensions = directive.Dimensions.map((set) => `[${set.join(', ')}]`).join(' ');
      for (const metric of directive.Metrics) {
        // One event per container: each metric is listed once per event type.
        const row = `| ${code(type)} | ${dimensions} | ${code(metric.Name)} | ${metric.Unit} |`;
        if (!lines.includes(row)) lines.push(row);
      }
    }
  }
  return lines;
}

/** docs/reference/metrics.md: every metric of each exporter with its type, unit and labels. */
export async function renderMetricsReference(): Promise<string> {
  const metrics = sampleMetrics();
  const endpoint = createPrometheusEndpoint({
    getSnapshot: () => metrics,
    getCost: () => COST,
    processMetrics: false,
  });
  // Self-telemetry series exist once they have been used: one of each, as a running agent has.
  endpoint.selfTelemetry.observePoll('task_stats', 0.002);
  endpoint.selfTelemetry.countPollError('task_stats', 'timeout');
  endpoint.selfTelemetry.countSample('fresh');
  endpoint.selfTelemetry.countFieldDropped('task_stats', 'field');
  const exposition = (await endpoint.scrape('text/plain')).body;
  const families = familiesOf(exposition);
  const task = families.filter((family) => family.name.startsWith('ecs_'));
  const own = families.filter((family) => !family.name.startsWith('ecs_'));
  const prometheusRow = (family: ExposedFamily) =>
    `| ${code(family.name)} | ${family.type} | ${family.samples === 0 ? 'no sample in the sample task (its payload has no value)' : [...family.labels].map(code).join(', ')} | ${cell(family.help)} |`;
  const events = translateEmf(metrics, {
    namespace: 'ECS/ContainerInsights',
    containerMetrics: true,
    cost: COST,
  });
  const lines = [
    GENERATED,
    '',
    '# Metrics reference',
    '',
    'What each exporter of `taskscope agent` writes, rendered from the exporters themselves on a',
    'three-container Fargate task (two polls of a real payload, cost meter on). Names, meaning and',
    'the computation rules: [contract.md](../contract.md), "Metrics" and "Numbers every computation obeys".',
    '',
    '## Prometheus (`/metrics`)',
    '',
    `Drop-in for ecs_exporter v0.4 names. With \`--task-labels\` every task series also carries ${TASK_LABEL_NAMES.map(code).join(', ')}.`,
    "prom-client's standard `process_*` and `nodejs_*` metrics follow when the Prometheus exporter is on.",
    '',
    '### Task and container series',
    '',
    '| name | type | labels | meaning |',
    '|---|---|---|---|',
    ...task.map(prometheusRow),
    '',
    "### The agent's own series",
    '',
    '| name | type | labels | meaning |',
    '|---|---|---|---|',
    ...own.map(prometheusRow),
    '',
    '## OpenTelemetry (OTLP)',
    '',
    'Resource attributes name the task (`aws.ecs.*`, `cloud.*`); container points carry `container.*` attributes.',
    '',
    '| name | instrument | unit | meaning |',
    '|---|---|---|---|',
    ...OTLP_METRICS.map(
      (spec) => `| ${code(spec.name)} | ${spec.kind} | ${code(spec.unit)} | ${cell(spec.description)} |`,
    ),
    '',
    '## CloudWatch Embedded Metric Format (stdout)',
    '',
    'One JSON document per line; Container Insights names. `Container` events only with `--emf-container-metrics`.',
    '',
    ...emfSection(events),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
