/*
 * An app in the task that logs its own task's memory headroom: how much of the task's memory
 * (its Fargate size) the containers' working sets leave free, one line per fresh sample. The
 * agent runs as a sidecar in the same task, so it is on 127.0.0.1 (awsvpc shares one network
 * namespace); the working set is what the OOM killer counts, so it is the headroom that matters.
 *
 *   TASKSCOPE_AGENT=http://127.0.0.1:9780/ node --import tsx examples/memory-headroom.ts
 *
 * (`TASKSCOPE_AUTH_TOKEN` when the agent runs with `--auth-token`.) Ctrl-C or SIGTERM stops it.
 */
import { fileURLToPath } from 'node:url';
import { createTaskscopeClient, type Snapshot } from '@taskscope/sdk';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function bytesText(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(2)} GiB` : `${Math.round(bytes / MiB)} MiB`;
}

/** `fargate-web:7 memory headroom: 1.50 GiB of 2.00 GiB free (75.0 %); working set 512 MiB`. */
export function headroomLine(snapshot: Snapshot): string {
  const task =
    snapshot.task === null ? 'task' : `${snapshot.task.identity.family}:${snapshot.task.identity.revision}`;
  const sizeBytes = snapshot.task?.size.memoryBytes ?? null;
  const workingSetBytes = snapshot.totals?.memoryWorkingSetBytes ?? null;
  // null is "not reported" (no sample yet, or a v2 endpoint without the task's limits), never 0:
  // a headroom computed from a missing figure would be a made-up number.
  if (sizeBytes === null || workingSetBytes === null) {
    const missing = sizeBytes === null ? "the task's memory size" : 'the working set';
    return `${task} memory headroom: not reported (${missing} is not reported)`;
  }
  const freeBytes = Math.max(0, sizeBytes - workingSetBytes);
  const freePercent = ((freeBytes / sizeBytes) * 100).toFixed(1);
  return `${task} memory headroom: ${bytesText(freeBytes)} of ${bytesText(sizeBytes)} free (${freePercent} %); working set ${bytesText(workingSetBytes)}`;
}

export interface HeadroomOptions {
  readonly baseUrl: string;
  readonly token?: string;
  /** Where each headroom line goes. */
  readonly log: (line: string) => void;
  /** Where connection problems go (the subscription keeps retrying). */
  readonly warn: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Logs a line for every sample until `signal` aborts. */
export async function main(options: HeadroomOptions): Promise<void> {
  const client = createTaskscopeClient({ baseUrl: options.baseUrl, token: options.token });
  await client.subscribe((snapshot) => options.log(headroomLine(snapshot)), {
    signal: options.signal,
    onError: (error) => options.warn(`taskscope agent: ${error.message} (retrying)`),
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
  await main({
    baseUrl: process.env.TASKSCOPE_AGENT ?? 'http://127.0.0.1:9780/',
    token: process.env.TASKSCOPE_AUTH_TOKEN,
    log: (line) => console.log(line),
    warn: (line) => console.error(line),
    signal: controller.signal,
  });
}
