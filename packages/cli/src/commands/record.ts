import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMetadataClient, MetadataClientError } from '@taskscope/client';
import {
  createAccountScrubber,
  formatRecordingHeader,
  formatRecordingLine,
  recordedPaths,
} from '@taskscope/mock';
import { apiVersionOf } from '@taskscope/wire';
import { type Command, InvalidArgumentError } from 'commander';
import { RecordError, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { addSwitch, durationArg, option } from '../options.js';

interface RecordFlags {
  readonly from: string;
  readonly out: string;
  readonly count: number;
  readonly interval: number;
  readonly keepIds?: boolean;
}

/** `taskscope record --from URL --out FILE [--count N] [--interval DUR] [--keep-ids]`. */
export function registerRecordCommand(program: Command, io: CliIo): void {
  const command = program
    .command('record')
    .description('capture a task metadata endpoint into a recording that `taskscope mock --replay` serves')
    .addOption(
      option(
        'record',
        '--from <url>',
        'base URL of the endpoint: http://…/v2, ECS_CONTAINER_METADATA_URI or …_URI_V4',
      )
        .argParser(parseBaseUrl)
        .makeOptionMandatory(),
    )
    .addOption(option('record', '--out <file>', 'the recording to write (JSON Lines)').makeOptionMandatory())
    .addOption(option('record', '--count <n>', 'samples to take').default(6).argParser(parsePositiveInteger))
    .addOption(
      option('record', '--interval <duration>', 'time between samples')
        .default(10_000, '10s')
        .argParser(durationArg),
    );
  addSwitch(command, 'record', {
    flag: '--keep-ids',
    description: 'keep AWS account ids (scrubbed from ARNs and ECR hosts by default)',
    oppositeDescription: 'scrub AWS account ids (the default)',
  });
  command.action(async (flags: RecordFlags) => {
    const lines = await record(flags, (line) => io.stderr(`${line}\n`));
    io.stdout(`recorded ${lines} responses from ${flags.from} to ${flags.out}\n`);
  });
}

/**
 * The paths whose answer a replay needs: every sample's task metadata and stats (and, on v3/v4,
 * the calling container's). They must answer 200; other paths (v2's per-container ones, which
 * answer 400 for a container without stats) are recorded as they answered.
 */
function mustAnswer200(api: string, path: string): boolean {
  return api === 'v2' ? path === '/metadata' || path === '/stats' : true;
}

/**
 * A container id that may go into a v2 path: Docker's 64 hex digits on EC2, `<task id>-<n>` on
 * Fargate. Anything else (a `/`, `..`, `%2F`, a query) would steer the capture to another path
 * of the endpoint or off it, so it is not captured.
 */
const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

async function record(flags: RecordFlags, warn: (line: string) => void): Promise<number> {
  const api = apiVersionOf(flags.from);
  const scrub = flags.keepIds ? (text: string) => text : createAccountScrubber();
  const client = createMetadataClient({ metadataUrl: flags.from.replace(/\/+$/, ''), timeoutMs: 5000 });
  // Written beside --out and renamed onto it only once every sample is in: a failed record
  // leaves nothing behind (and never a header-only or half file under the name asked for).
  // A name nobody can guess, created exclusively ('wx': O_CREAT|O_EXCL): a file or symlink
  // planted at it makes the open fail instead of being written through. The rename at the end
  // replaces --out itself, so a symlink there is replaced, never followed.
  const partial = join(
    dirname(flags.out),
    `.${basename(flags.out)}.${process.pid}.${randomBytes(6).toString('hex')}.partial`,
  );
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(partial, 'wx', 0o644);
  } catch (error) {
    await client.close();
    throw new UsageError(
      `--out ${flags.out}: cannot be written (${(error as NodeJS.ErrnoException).code ?? error}); expected a writable file`,
      { cause: error },
    );
  }
  let written = 0;
  let complete = false;
  try {
    await file.write(`${formatRecordingHeader(api, new Date())}\n`);
    const startedMs = performance.now();
    const capture = async (path: string) => {
      const url = `${flags.from}${path}`;
      const response = await client.request(path).catch((error: unknown) => {
        // Anything but the endpoint's failures passes on as it is: a bug (main prints its
        // stack) or an input error with its own code.
        if (!(error instanceof MetadataClientError) || error.origin !== 'world') throw error;
        throw new RecordError(`record: ${url}: ${error.message}`, url, { cause: error });
      });
      if (response.status !== 200 && mustAnswer200(api, path)) {
        throw new RecordError(
          `record: ${url}: answered ${response.status}; expected 200 (is --from the endpoint's base URL, such as ECS_CONTAINER_METADATA_URI_V4?); nothing written to ${flags.out}`,
          url,
        );
      }
      const offsetMs = performance.now() - startedMs;
      await file.write(
        `${formatRecordingLine({ offsetMs, path, status: response.status, text: scrub(response.text) })}\n`,
      );
      written++;
      return response;
    };
    for (let sample = 0; sample < flags.count; sample++) {
      const dueMs = startedMs + sample * flags.interval;
      if (dueMs > performance.now()) await sleep(dueMs - performance.now());
      if (api !== 'v2') {
        for (const path of recordedPaths(api)) await capture(path);
        continue;
      }
      // v2 has no calling container: each container is captured by id, as /metadata lists them.
      const task = await capture('/metadata');
      await capture('/stats');
      const ids = dockerIdsOf(task.json);
      for (const id of ids.filter((id) => !CONTAINER_ID.test(id))) {
        if (sample === 0)
          warn(
            `record: not capturing container ${JSON.stringify(id)} of ${flags.from}/metadata: a DockerId is letters, digits, . _ - (at most 128)`,
          );
      }
      const safe = ids.filter((id) => CONTAINER_ID.test(id));
      for (const path of recordedPaths('v2', safe).slice(2)) await capture(path);
    }
    complete = true;
  } finally {
    await file.close();
    await client.close();
    if (!complete) await rm(partial, { force: true });
  }
  try {
    await rename(partial, flags.out);
  } catch (error) {
    await rm(partial, { force: true });
    throw new UsageError(
      `--out ${flags.out}: cannot be written (${(error as NodeJS.ErrnoException).code ?? error}); expected a writable file`,
      { cause: error },
    );
  }
  return written;
}

function dockerIdsOf(task: unknown): string[] {
  const containers = (task as { Containers?: unknown } | undefined)?.Containers;
  if (!Array.isArray(containers)) return [];
  return containers
    .map((container) => (container as { DockerId?: unknown }).DockerId)
    .filter((id): id is string => typeof id === 'string');
}

function parseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('expected an http URL such as http://169.254.170.2/v4/<id>');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('expected an http or https URL');
  return text;
}

function parsePositiveInteger(text: string): number {
  if (!/^[1-9]\d*$/.test(text.trim())) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return Number(text);
}
