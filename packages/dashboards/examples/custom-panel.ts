/**
 * The README's example: taskscope's dashboard with one more row, a panel of each
 * container's resident set size. `npx tsx examples/custom-panel.ts > dashboard.json`.
 */
import {
  CONTAINER_SELECTOR,
  defaultRows,
  grafanaDashboard,
  row,
  timeSeriesPanel,
} from '@taskscope/dashboards';

export const dashboard = grafanaDashboard({
  title: 'ECS tasks, with RSS',
  rows: [
    ...defaultRows(),
    row('Memory detail', [
      timeSeriesPanel({
        title: 'Container RSS',
        description:
          'Anonymous memory of each container (rss): what swapping or an OOM kill would take back.',
        unit: 'bytes',
        queries: [
          {
            expr: `ecs_container_memory_rss_bytes{${CONTAINER_SELECTOR}}`,
            legend: '{{instance}} {{container_name}}',
          },
        ],
      }),
    ]),
  ],
});

if (import.meta.url === `file://${process.argv[1]}`)
  process.stdout.write(`${JSON.stringify(dashboard, null, 2)}\n`);
