import { loadFixture } from '@taskscope/fixtures';
import { parseTaskMetadata, parseTaskStats } from '@taskscope/wire';
import { afterBenchGroups, benchGroup } from '../../../vitest.shared.ts';
import { diffSnapshot, normalizeSnapshot } from '../src/index.js';
import { advanceStats, type Json } from '../test/helpers.js';

/*
 * What one poll costs the core against what it costs just to parse the payloads it is
 * computed from. Tasks of 1, 10 and 50 containers are built by cloning the Fargate
 * fixture's running `prometheus` container (metadata and stats) under distinct ids and
 * names; the measured poll is the second one, so every rate is computed. Goal for 10
 * containers: normalize + diff ≤ 0.5 × JSON.parse.
 */

const metadataFixture = loadFixture('prometheus-community-ecs_exporter/fargate_task_metadata.json')
  .json as Json;
const statsFixture = loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json').json as Json;
const template = metadataFixture.Containers.find((container: Json) => container.Name === 'prometheus');
const templateStats = statsFixture[template.DockerId];

function task(size: number) {
  const metadata = { ...metadataFixture, Containers: [] as Json[] };
  const stats0: Json = {};
  for (let index = 0; index < size; index++) {
    const dockerId = `${template.DockerId.slice(0, 33)}${String(1_000_000_000 + index)}`;
    const name = `app-${index}`;
    metadata.Containers.push({ ...template, DockerId: dockerId, Name: name, DockerName: name });
    stats0[dockerId] = { ...templateStats, id: dockerId, name };
  }
  const steps = Object.fromEntries(
    Object.keys(stats0).map((id, index) => [
      id,
      { cpuNs: 1_000_000 * (index + 1), readBytes: 4096, rxBytes: 1000 },
    ]),
  );
  const stats1 = advanceStats(stats0, 10, steps);
  const metadataText = JSON.stringify(metadata);
  const statsText = JSON.stringify(stats1);
  const parsedMetadata = parseTaskMetadata(metadata);
  const previous = diffSnapshot(normalizeSnapshot(parsedMetadata, parseTaskStats(stats0)), undefined).state;
  return { metadataText, statsText, metadata: parsedMetadata, stats: parseTaskStats(stats1), previous };
}

const PARSE = 'JSON.parse (metadata + stats)';
const COMPUTE = 'normalizeSnapshot + diffSnapshot';

for (const size of [1, 10, 50]) {
  const input = task(size);
  const kib = ((input.metadataText.length + input.statsText.length) / 1024).toFixed(1);
  benchGroup(
    `${size} container${size === 1 ? '' : 's'} (${kib} KiB of JSON)`,
    {
      [PARSE]: () => [JSON.parse(input.metadataText), JSON.parse(input.statsText)],
      [COMPUTE]: () => diffSnapshot(normalizeSnapshot(input.metadata, input.stats), input.previous),
    },
    { time: 400 },
  );
}

/** One line per task size: compute time as a multiple of parse time, measured above. */
afterBenchGroups(({ name, mean }) => {
  const parse = mean(PARSE);
  const compute = mean(COMPUTE);
  if (parse === undefined || compute === undefined) return;
  const goal = name.startsWith('10 ') ? ' (goal ≤ 0.50)' : '';
  console.log(`${name}: normalize + diff = ${(compute / parse).toFixed(2)} × JSON.parse${goal}`);
});
