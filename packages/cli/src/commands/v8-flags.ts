import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags the agent sets on itself: no optimizing compilers (TurboFan; Maglev, on by
 * default from Node 22.x's V8 12 in Node 24). The sidecar runs each code path about once a
 * second; at that rate optimized code saves less CPU than compiling it costs, and the first
 * TurboFan compile alone pulls about 3.4 MB of the node binary's text into resident memory
 * (measured with /proc/self/smaps: 16.4 → 19.7 MB of `r-xp` pages). Ignition and Sparkplug
 * still run. The agent benchmark (README, Performance) measures the agent as it runs here.
 */
export const AGENT_V8_FLAGS: readonly string[] = ['--no-turbofan', '--no-maglev', '--liftoff-only'];

/**
 * Node options the sidecar is started with, on node's own command line: the Docker image's
 * ENTRYPOINT has them (a test keeps the two equal), and the agent benchmark starts the agent
 * with them, as the image runs it. V8 reads them only as the process starts
 * (`setFlagsFromString` after start-up aborts the process for the first, and is too late for
 * the heap's sizing for the second), so they cannot be in {@link AGENT_V8_FLAGS}.
 *
 * - `--single-threaded-gc` runs the GC on the main thread only: the agent's young generation
 *   is a few hundred KiB a poll, and waking V8's worker threads (four on any machine) for each
 *   scavenge cost more than the scavenge. Measured in pairs, two agents on one mock at the
 *   same time, it took 10 % off the agent's CPU.
 * - `--max-semi-space-size=1` caps the young generation's semi-spaces at 1 MiB. The history
 *   ring keeps one entry of every cycle, so a share of each scavenge survives, and V8 answers a
 *   high survival rate by growing the young generation towards 16 MiB semi-spaces, which it
 *   keeps: with a full 15-minute history of fargate-10 the agent held 79.5 MB of RSS against
 *   66.1 MB with `--history 0`, and 69.8 MB with this cap (three agents on one mock, after the
 *   ring had filled). CPU did not rise (0.92× in pairs at a 1 s cadence; the scavenges are
 *   more frequent and as cheap).
 */
export const AGENT_NODE_OPTIONS: readonly string[] = ['--single-threaded-gc', '--max-semi-space-size=1'];

/** A V8 compiler choice made on node's own command line (`node --turbofan …/bin.js agent`). */
const COMPILER_FLAG = /^--(no-)?(turbofan|opt|maglev|wasm-tier-up|liftoff|liftoff-only)$/;

/**
 * Sets {@link AGENT_V8_FLAGS} unless node was started with its own compiler flags, which win.
 * Returns the flags it set, for the start-up log. Only for a real agent process: the flags
 * hold for the whole process, so a test runner or `demo` (the mock shares its process) must
 * not call it.
 */
export function applyAgentV8Flags(execArgv: readonly string[] = process.execArgv): readonly string[] {
  if (execArgv.some((argument) => COMPILER_FLAG.test(argument.replaceAll('_', '-')))) return [];
  for (const flag of AGENT_V8_FLAGS) setFlagsFromString(flag);
  return AGENT_V8_FLAGS;
}
