import { type RunningAgent, readAgentConfig, startAgent } from '@taskscope/agent';
import { loadFixture } from '@taskscope/fixtures';
import { startMock } from '@taskscope/mock';
import {
  createStopper,
  emfProblems,
  type OtlpExport,
  promtoolCheckMetrics,
  startOtlpReceiver,
  waitFor,
} from '@taskscope/test-support';
import { afterEach, describe, expect, test } from 'vitest';
import { getText } from './helpers/http.js';

/*
 * docs/security.md, "Names from the task": a container name is whatever the payload says
 * (ECS limits it to letters, digits, - and _, but a recording, a scenario or a future payload
 * may not). A name with quotes, backslashes, a newline, control characters and non-ASCII text
 * reaches every output escaped: Prometheus text that promtool passes and that parses back to
 * the same name, OTLP attributes (JSON and protobuf), the snapshot JSON and the SSE event, and
 * EMF lines that stay one valid JSON line each. EMF leaves out dimension sets CloudWatch would
 * refuse (packages/exporters/src/emf/limits.ts).
 */

const HOSTILE = 'we"ird\\name\nline two\u0007\t容器 ✓ 🚀 \u2028end';
const HOSTILE_IMAGE = 'registry.example/i"m\\age\n:1 ✓';

const started = createStopper();
afterEach(() => started.stopAll());

/** The ecs_exporter Fargate capture, its containers renamed: one hostile name, one hostile image (both running, with stats; the first is stopped). */
function hostilePayloads() {
  const metadata = JSON.parse(
    loadFixture('prometheus-community-ecs_exporter/fargate_task_metadata.json').text,
  ) as { Containers: { Name: string; Image: string }[] };
  metadata.Containers[1]!.Name = HOSTILE;
  metadata.Containers[2]!.Image = HOSTILE_IMAGE;
  return {
    taskMetadata: JSON.stringify(metadata),
    taskStats: loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json').text,
    names: metadata.Containers.map((c) => c.Name),
  };
}

/** Label values of a text 0.0.4 line, unescaped as the format defines (`\\`, `\"`, `\n`). */
function labelValues(line: string, label: string): string[] {
  return [...line.matchAll(new RegExp(`${label}="((?:[^"\\\\]|\\\\.)*)"`, 'g'))].map((m) =>
    m[1]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)),
  );
}

describe.each(['http/json', 'http/protobuf'] as const)(
  'a container name of any text, OTLP over %s',
  (protocol) => {
    test('is escaped in Prometheus text, OTLP, the snapshot, SSE and EMF', async () => {
      const payloads = hostilePayloads();
      const receiver = started.track(await startOtlpReceiver(), (it) => it.close());
      const mock = started.track(
        await startMock({
          taskMetadata: payloads.taskMetadata,
          taskStats: payloads.taskStats,
          throttle: false,
        }),
        (it) => it.close(),
      );
      const stdout: string[] = [];
      let partial = '';
      const config = readAgentConfig({
        flags: {
          metadataUrl: mock.v4Urls[mock.endpoints[0]!.containerName]!,
          listen: '127.0.0.1:0',
          logLevel: 'silent',
          exporters: 'prometheus,otlp,emf',
          emfContainerMetrics: true,
          interval: '100ms',
        },
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_METRIC_EXPORT_INTERVAL: '300',
        },
      });
      const agent: RunningAgent = started.track(
        await startAgent(config, {
          stdout: (text) => {
            const lines = (partial + text).split('\n');
            partial = lines.pop()!;
            stdout.push(...lines);
          },
        }),
        (it) => it.stop(),
      );
      await waitFor('the first poll', async () =>
        (await fetch(`${agent.url}readyz`)).ok ? true : undefined,
      );

      // Prometheus: promtool passes the exposition, and the label parses back to the name.
      const metrics = await getText(`${agent.url}metrics`);
      expect(await promtoolCheckMetrics(metrics)).toEqual({ exitCode: 0, output: '' });
      const info = metrics.split('\n').filter((line) => line.startsWith('ecs_container_info{'));
      expect(info.flatMap((line) => labelValues(line, 'container_name')).sort()).toEqual(
        [...payloads.names].sort(),
      );
      expect(info.flatMap((line) => labelValues(line, 'image'))).toContain(HOSTILE_IMAGE);
      // Every sample is one line: no raw newline from a label splits one.
      for (const line of metrics.split('\n'))
        expect(line).toMatch(/^(#.*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+|)$/s);

      // The snapshot and the stream's event carry the name as JSON, the event on one data line.
      const snapshot = JSON.parse(await getText(`${agent.url}api/v1/snapshot`)) as {
        containers: { name: string }[];
      };
      expect(snapshot.containers.map((c) => c.name)).toContain(HOSTILE);
      const stream = await fetch(`${agent.url}api/v1/stream`);
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      // The data may hold U+2028, which JSON leaves raw and SSE does not end a line at.
      const event = /\ndata: ([^\n]*)\n\n/;
      while (!event.test(text)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`the stream ended before an event: ${text}`);
        text += value;
      }
      await reader.cancel();
      const data = event.exec(text)![1]!;
      expect((JSON.parse(data) as typeof snapshot).containers.map((c) => c.name)).toContain(HOSTILE);

      // OTLP: the attribute is the name, byte for byte, in either encoding.
      const exported = await waitFor(
        'an OTLP export naming the container',
        () =>
          receiver.exports.find((e: OtlpExport) =>
            e.resourceMetrics.some((rm) =>
              rm.scopes.some((s) =>
                s.metrics.some((m) => m.points.some((p) => p.attributes['container.name'] === HOSTILE)),
              ),
            ),
          ),
        { timeoutMs: 20_000 },
      );
      expect(exported.contentType).toBe(protocol === 'http/json' ? 'json' : 'protobuf');
      expect(receiver.rejected).toEqual([]);
      const images = exported.resourceMetrics.flatMap((rm) =>
        rm.scopes.flatMap((s) =>
          s.metrics.flatMap((m) => m.points.map((p) => p.attributes['container.image.name'])),
        ),
      );
      // `container.image.name` is the reference without its tag (semantic conventions).
      expect(images).toContain(HOSTILE_IMAGE.slice(0, HOSTILE_IMAGE.lastIndexOf(':')));

      // EMF: every line is one valid document; the hostile name is in no dimension.
      await waitFor('an EMF Task event', () =>
        stdout.some((l) => l.includes('"Type":"Task"')) ? true : undefined,
      );
      for (const line of stdout) expect(emfProblems(line), line).toEqual([]);
      const containerEvents = stdout.map((l) => JSON.parse(l)).filter((e) => e.Type === 'Container');
      expect(containerEvents.map((e) => e.ContainerName)).not.toContain(HOSTILE);
    });
  },
);
