import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type CloudwatchDashboardBody,
  cloudwatchBodyProblems,
  cloudwatchDashboard,
  DashboardOptionsError,
  type MetricWidget,
} from '../src/index.ts';

const metricWidgets = (body: CloudwatchDashboardBody) =>
  body.widgets.filter((widget): widget is MetricWidget => widget.type === 'metric');

/** Pairs of widgets whose rectangles overlap. */
function overlaps(body: CloudwatchDashboardBody): string[] {
  const found: string[] = [];
  body.widgets.forEach((a, i) => {
    body.widgets.slice(i + 1).forEach((b, j) => {
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
        found.push(`widgets ${i} and ${i + 1 + j}`);
    });
  });
  return found;
}

describe('the CloudWatch dashboard body', () => {
  test('for a cluster and family is the golden body', async () => {
    const body = cloudwatchDashboard({ region: 'eu-central-1', cluster: 'prod', family: 'web' });
    await expect(`${JSON.stringify(body, null, 2)}\n`).toMatchFileSnapshot(
      '__golden__/cloudwatch-prod-web.json',
    );
  });

  test('pins the dimension sets with "." repetition when the cluster and family are given', () => {
    const body = cloudwatchDashboard({ region: 'eu-central-1', cluster: 'prod', family: 'web' });
    const cpu = metricWidgets(body)[0]!.properties;
    expect(cpu.metrics).toEqual([
      [
        'ECS/Taskscope',
        'CpuUtilized',
        'ClusterName',
        'prod',
        'TaskDefinitionFamily',
        'web',
        { id: 'cpu_utilized', label: 'utilized' },
      ],
      ['.', 'CpuReserved', '.', '.', '.', '.', { id: 'cpu_reserved', label: 'reserved' }],
    ]);
    expect(cpu.region).toBe('eu-central-1');
    expect(cpu.stat).toBe('Average');
    expect(cpu.period).toBe(60);
  });

  test('searches every cluster without --cluster, and every container always', () => {
    const body = cloudwatchDashboard({ region: 'us-east-1', namespace: 'Shop/ECS' });
    const [cpu] = metricWidgets(body);
    expect(cpu!.properties.metrics[0]).toEqual([
      {
        expression: `SEARCH('{"Shop/ECS",ClusterName} MetricName="CpuUtilized"', 'Average', 60)`,
        id: 'cpu_utilized',
        label: 'utilized',
      },
    ]);
    const container = metricWidgets(body).at(-1)!.properties.metrics[0]![0] as { expression: string };
    expect(container.expression).toBe(
      `SEARCH('{"Shop/ECS",ClusterName,TaskDefinitionFamily,ContainerName} MetricName="ContainerMemoryUtilization"', 'Average', 60)`,
    );
    const pinned = cloudwatchDashboard({ region: 'us-east-1', cluster: 'prod' });
    const byCluster = metricWidgets(pinned).at(-1)!.properties.metrics[0]![0] as { expression: string };
    expect(byCluster.expression).toBe(
      `SEARCH('{"ECS/Taskscope",ClusterName,TaskDefinitionFamily,ContainerName} MetricName="ContainerMemoryUtilization" ClusterName="prod"', 'Average', 60)`,
    );
  });

  test('shows the Container Insights names, and the container widgets only when asked', () => {
    const names = (body: CloudwatchDashboardBody) =>
      metricWidgets(body).flatMap((w) =>
        w.properties.metrics.map((m) =>
          typeof m[0] === 'object'
            ? /MetricName="(\w+)"/.exec((m[0] as { expression: string }).expression)![1]
            : m[1],
        ),
      );
    expect(
      names(cloudwatchDashboard({ region: 'us-east-1', cluster: 'prod', containerWidgets: false })),
    ).toEqual([
      'CpuUtilized',
      'CpuReserved',
      'MemoryUtilized',
      'MemoryReserved',
      'CpuUtilization',
      'MemoryUtilization',
      'NetworkRxBytes',
      'NetworkTxBytes',
      'StorageReadBytes',
      'StorageWriteBytes',
    ]);
    expect(names(cloudwatchDashboard({ region: 'us-east-1' })).slice(10)).toEqual([
      'ContainerCpuUtilized',
      'ContainerMemoryUtilized',
      'ContainerMemoryUtilization',
    ]);
    const text = cloudwatchDashboard({ region: 'us-east-1' }).widgets[0]!;
    expect(text.type).toBe('text');
    expect((text.properties as { markdown: string }).markdown).toContain('--emf-container-metrics');
  });

  test('validates against the schema for any namespace, region, cluster and family, with no overlap', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.\-"'\\ ]{0,40}$/);
    fc.assert(
      fc.property(
        fc.record({
          namespace: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9./#:_-]{0,30}$/),
          region: fc.constantFrom(
            'us-east-1',
            'eu-central-2',
            'ap-southeast-4',
            'us-gov-west-1',
            'cn-north-1',
          ),
          cluster: fc.option(name, { nil: undefined }),
          family: fc.option(name, { nil: undefined }),
          containerWidgets: fc.boolean(),
        }),
        (options) => {
          fc.pre(!options.namespace.startsWith('AWS/'));
          if (options.family !== undefined && options.cluster === undefined) return;
          const body = cloudwatchDashboard(options);
          expect(cloudwatchBodyProblems(body)).toEqual([]);
          expect(overlaps(body)).toEqual([]);
          for (const widget of metricWidgets(body)) expect(widget.properties.region).toBe(options.region);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the body schema', () => {
  const good = cloudwatchDashboard({ region: 'us-east-1', cluster: 'prod' });
  const widget = metricWidgets(good)[0]!;
  const withWidget = (changed: object) => ({ ...good, widgets: [{ ...widget, ...changed }] });
  const withProperties = (changed: object) =>
    withWidget({ properties: { ...widget.properties, ...changed } });
  const fieldsOf = (body: unknown) => cloudwatchBodyProblems(body).map((problem) => problem.field);

  test('finds a widget off the 24-column grid', () => {
    expect(fieldsOf(withWidget({ x: 20, width: 6 }))).toEqual(['widgets.0']);
    expect(fieldsOf(withWidget({ x: 24 }))).toEqual(['widgets.0.x', 'widgets.0']);
    expect(fieldsOf(withWidget({ width: 25 }))).toEqual(['widgets.0.width', 'widgets.0']);
  });

  test('finds a metric widget without a region, or with one that is none', () => {
    const { region: _region, ...noRegion } = widget.properties;
    expect(fieldsOf(withWidget({ properties: noRegion }))).toEqual(['widgets.0.properties.region']);
    expect(cloudwatchBodyProblems(withProperties({ region: 'Frankfurt' }))[0]!.allowed).toBe(
      'an AWS region name such as "us-east-1"',
    );
  });

  test('finds an id that does not start lower-case, a "." with nothing to repeat, an odd dimension list', () => {
    expect(
      cloudwatchBodyProblems(
        withProperties({ metrics: [['ECS/Taskscope', 'CpuUtilized', 'ClusterName', 'prod', { id: 'Cpu' }]] }),
      )[0]!.allowed,
    ).toBe('an id starting with a lower-case letter, then letters, digits or "_"');
    expect(fieldsOf(withProperties({ metrics: [['.', 'CpuUtilized', 'ClusterName', 'prod']] }))).toEqual([
      'widgets.0.properties.metrics',
    ]);
    expect(fieldsOf(withProperties({ metrics: [['ECS/Taskscope', 'CpuUtilized', 'ClusterName']] }))).toEqual([
      'widgets.0.properties.metrics.0',
    ]);
  });

  test('finds a period that is not a multiple of 60 and an unknown statistic', () => {
    expect(fieldsOf(withProperties({ period: 90 }))).toEqual(['widgets.0.properties.period']);
    expect(fieldsOf(withProperties({ stat: 'Mean' }))).toEqual(['widgets.0.properties.stat']);
  });
});

describe('the options', () => {
  test('refuse an empty namespace, a region that is none, a family without a cluster', () => {
    expect(() => cloudwatchDashboard({ region: 'us-east-1', namespace: '' })).toThrow(DashboardOptionsError);
    expect(() => cloudwatchDashboard({ region: 'us-east-1', namespace: '' })).toThrow(
      /^dashboard options: field "namespace" is "" \(string\); expected a CloudWatch namespace/,
    );
    expect(() => cloudwatchDashboard({ region: 'Frankfurt' })).toThrow(
      'dashboard options: field "region" is "Frankfurt" (string); expected an AWS region name such as "us-east-1"',
    );
    expect(() => cloudwatchDashboard({ region: 'us-east-1', namespace: 'AWS/ECS' })).toThrow(/namespace/);
    expect(() => cloudwatchDashboard({ region: 'us-east-1', family: 'web' })).toThrow(
      /field "cluster" is missing; expected a cluster name whenever a family is given/,
    );
  });
});
