import { runAgentBench } from './agent.js';
import { runComputeBench } from './compute.js';
import { runMetricsRenderBench } from './metrics-render.js';
import { runPayloadBench } from './payload.js';
import { runStartupBench } from './startup.js';

/*
 * `npm run bench` (turbo's bench task builds the packages first): the compute benchmark of
 * issue #2, then the agent benchmark of issue #4. Each prints its own table with its baseline
 * measured in the same run. Issue #14's figures come between them: the runtime payload and
 * the start-up; issue #15's `/metrics` render time after the compute.
 */
runComputeBench();
await runMetricsRenderBench();
runPayloadBench();
await runStartupBench();
await runAgentBench();
