import { runAgentBench } from './agent.js';
import { runComputeBench } from './compute.js';
import { runPayloadBench } from './payload.js';
import { runStartupBench } from './startup.js';

/*
 * `npm run bench` (turbo's bench task builds the packages first): the compute benchmark of
 * issue #2, then the agent benchmark of issue #4. Each prints its own table with its baseline
 * measured in the same run. Issue #14's figures come between them: the runtime payload and
 * the start-up.
 */
runComputeBench();
runPayloadBench();
await runStartupBench();
await runAgentBench();
