import { loadFixture } from '@taskscope/fixtures';
import * as v from 'valibot';
import { afterBenchGroups, benchGroup } from '../../../vitest.shared.ts';
import { ContainerStatsSchema, parseTaskMetadata, parseTaskStats } from '../src/index.js';

/*
 * What validating one poll's payloads costs against what it costs just to JSON.parse their
 * text, for a task of 10 containers built by cloning the Fargate fixture's running
 * `prometheus` container under distinct ids and names (the agent's goal case: 10
 * containers polled once a second). Both sides run in the same process and run.
 */

type Json = Record<string, unknown>;
const metadataFixture = loadFixture('prometheus-community-ecs_exporter/fargate_task_metadata.json')
  .json as Json & {
  Containers: Json[];
};
const statsFixture = loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json').json as Record<
  string,
  Json | null
>;
const template = metadataFixture.Containers.find((container) => container['Name'] === 'prometheus')!;
const templateId = template['DockerId'] as string;
const CONTAINERS = 10;

const metadata: Json = { ...metadataFixture, Containers: [] as Json[] };
const stats: Record<string, Json> = {};
for (let index = 0; index < CONTAINERS; index++) {
  const dockerId = `${templateId.slice(0, 33)}${String(1_000_000_000 + index)}`;
  const name = `app-${index}`;
  (metadata['Containers'] as Json[]).push({ ...structuredClone(template), DockerId: dockerId, Name: name });
  stats[dockerId] = { ...structuredClone(statsFixture[templateId]!), id: dockerId, name };
}
const statsText = JSON.stringify(stats);
const metadataText = JSON.stringify(metadata);
const statsObject = JSON.parse(statsText) as unknown;
// One container's first blkio list is "None" (Datadog's Windows Fargate payload): the
// fallback path, which leaves that list out of a copy of that entry.
const oddStats = JSON.parse(statsText) as Record<string, { blkio_stats: Json }>;
Object.values(oddStats)[0]!.blkio_stats['io_service_bytes_recursive'] = 'None';
const metadataObject = JSON.parse(metadataText) as unknown;

const STATS_JSON = 'JSON.parse (task stats text)';
const STATS_PARSE = 'parseTaskStats (parsed object)';
const STATS_VALIBOT = 'valibot safeParse of every entry (parsed object)';
const STATS_ODD = 'parseTaskStats, one entry with a wrong-typed list (parsed object)';
const METADATA_JSON = 'JSON.parse (task metadata text)';
const METADATA_PARSE = 'parseTaskMetadata (parsed object)';
const OPTIONS = { time: 1000, warmupTime: 300 };

benchGroup(
  `task stats, ${CONTAINERS} containers (${(statsText.length / 1024).toFixed(1)} KiB)`,
  {
    [STATS_JSON]: () => JSON.parse(statsText),
    [STATS_PARSE]: () => parseTaskStats(statsObject),
    [STATS_ODD]: () => parseTaskStats(oddStats, { onFieldIssue: () => {} }),
    // What parseTaskStats cost before its compiled check (wire/src/check.ts): valibot itself.
    [STATS_VALIBOT]: () => {
      let last: unknown;
      for (const entry of Object.values(statsObject as Record<string, unknown>)) {
        last = v.safeParse(ContainerStatsSchema, entry);
      }
      return last;
    },
  },
  OPTIONS,
);

benchGroup(
  `task metadata, ${CONTAINERS} containers (${(metadataText.length / 1024).toFixed(1)} KiB)`,
  {
    [METADATA_JSON]: () => JSON.parse(metadataText),
    [METADATA_PARSE]: () => parseTaskMetadata(metadataObject),
  },
  OPTIONS,
);

/** One line per payload: validation time as a multiple of JSON.parse time, measured above. */
afterBenchGroups(({ name, mean }) => {
  const [baseline, measured] = name.startsWith('task stats')
    ? [mean(STATS_JSON), mean(STATS_PARSE)]
    : [mean(METADATA_JSON), mean(METADATA_PARSE)];
  if (baseline === undefined || measured === undefined) return;
  const micros = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
  console.log(
    `${name}: validation ${micros(measured)} vs JSON.parse ${micros(baseline)} = ${(measured / baseline).toFixed(2)} × JSON.parse`,
  );
  const valibot = mean(STATS_VALIBOT);
  if (name.startsWith('task stats') && valibot !== undefined) {
    console.log(
      `${name}: compiled check ${micros(measured)} vs valibot ${micros(valibot)} = ${(measured / valibot).toFixed(2)} × valibot`,
    );
  }
  const odd = mean(STATS_ODD);
  if (name.startsWith('task stats') && odd !== undefined) {
    console.log(
      `${name}: with one wrong-typed field ${micros(odd)} = ${(odd / measured).toFixed(2)} × the good payload`,
    );
  }
});
