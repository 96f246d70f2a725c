import { setFlagsFromString } from 'node:v8';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterBenchGroups, benchGroup } from '../../../vitest.shared.ts';
import { encodeMetricsRequest } from '../src/otlp/protobuf.js';
import { translateOtlp } from '../src/otlp/translate.js';
import { appContainer, fargateTask, nextSample } from '../test/helpers/task-metrics.js';

/*
 * One OTLP/protobuf export of a 10-container task: otlp-transformer's serializer against
 * encodeMetricsRequest, in the same run. Measured as the agent runs, with V8's optimizing
 * compilers off: the flags the agent sets on itself (cli/src/commands/v8-flags.ts), set here
 * the same way, at run time, before either side has run.
 */
for (const flag of ['--no-turbofan', '--no-maglev', '--liftoff-only']) setFlagsFromString(flag);

const CONTAINERS = 10;
const containers = Array.from({ length: CONTAINERS }, (_, index) =>
  appContainer({
    name: `app-${index}`,
    dockerId: `5c7bb5269e40a0d7991151b622d3779c-${1_000_000_000 + index}`,
    image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/storefront/app-${index}:1.4.${index}`,
  }),
);
const first = fargateTask({ containers });
const options = { temporality: 'cumulative', nowMs: 1_740_632_800_000 } as const;
const translation = translateOtlp(nextSample(first), translateOtlp(first, undefined, options).state, options);
const request: ResourceMetrics = {
  resource: defaultResource().merge(
    resourceFromAttributes({ 'service.name': 'taskscope', ...translation.resourceAttributes }),
  ),
  scopeMetrics: [translation.scopeMetrics],
};
const points = translation.scopeMetrics.metrics.reduce((sum, metric) => sum + metric.dataPoints.length, 0);
const LIBRARY = 'otlp-transformer ProtobufMetricsSerializer';
const OURS = 'encodeMetricsRequest';

benchGroup(
  `OTLP/protobuf export, ${CONTAINERS} containers, ${points} points`,
  {
    [LIBRARY]: () => ProtobufMetricsSerializer.serializeRequest(request),
    [OURS]: () => encodeMetricsRequest(request),
  },
  { time: 1500, warmupTime: 300 },
);

afterBenchGroups(({ name, mean }) => {
  const library = mean(LIBRARY);
  const ours = mean(OURS);
  if (library === undefined || ours === undefined) return;
  const micros = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
  console.log(
    `${name}: encodeMetricsRequest ${micros(ours)} vs the library's ${micros(library)} = ${(ours / library).toFixed(2)} × (V8 optimizing compilers off, as in the agent)`,
  );
});
