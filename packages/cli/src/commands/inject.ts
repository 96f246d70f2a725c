import { writeFile } from 'node:fs/promises';
import { readAgentConfig } from '@taskscope/agent';
import { CONTAINER_NAME_WORDS, isContainerName, unwrapTaskDefinition } from '@taskscope/fargate';
import { type Command, InvalidArgumentError } from 'commander';
// src/commands/ and dist/commands/ are both two levels below the package's manifest (a JSON
// import, which the CLI's bundle inlines; main.ts says why).
import manifest from '../../package.json' with { type: 'json' };
import { InjectError, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { nonNegativeIntegerArg, option } from '../options.js';
import { DEFAULT_AGENT_PORT, injectSidecar } from './inject-sidecar.js';
import { readTaskDefinitionFile } from './task-definition-file.js';

const { version } = manifest;

/** The image the sidecar runs unless `--image` says otherwise: this CLI's own release. */
export const DEFAULT_IMAGE = `ghcr.io/taskscope/taskscope:${version}`;

interface InjectFlags {
  readonly image?: string;
  readonly name: string;
  readonly port: number;
  readonly cpu?: number;
  readonly memory?: number;
  readonly exporters?: string;
  readonly out?: string;
}

/** `taskscope inject TASKDEF.json [--image IMG] [--name NAME] [--port N] [--cpu UNITS] [--memory MIB] [--exporters LIST] [--out FILE]`. */
export function registerInjectCommand(program: Command, io: CliIo): void {
  program
    .command('inject')
    .description(
      'print the task definition with the taskscope sidecar added, ready for register-task-definition',
    )
    .argument('<TASKDEF.json>', 'a task definition or describe-task-definition output; - reads stdin')
    .addOption(
      option('inject', '--image <image>', `the sidecar's image (default: ${DEFAULT_IMAGE})`).argParser(
        nonEmpty,
      ),
    )
    .addOption(
      option('inject', '--name <name>', "the sidecar's container name")
        .default('taskscope')
        .argParser(containerName),
    )
    .addOption(
      option('inject', '--port <n>', 'the port the agent listens on')
        .default(DEFAULT_AGENT_PORT)
        .argParser(portArg),
    )
    .addOption(
      option(
        'inject',
        '--cpu <units>',
        "the sidecar's cpu (default: 64, or what the containers leave)",
      ).argParser(nonNegativeIntegerArg),
    )
    .addOption(
      option(
        'inject',
        '--memory <mib>',
        "the sidecar's hard memory limit (default: 128, with 64 reserved)",
      ).argParser(memoryArg),
    )
    .addOption(
      option(
        'inject',
        '--exporters <list>',
        'TASKSCOPE_EXPORTERS for the agent (default: its own, prometheus)',
      ),
    )
    .addOption(option('inject', '--out <file>', 'where to write the task definition (default: stdout)'))
    .action(async (path: string, flags: InjectFlags) => {
      // The agent's own parser, so inject refuses exactly what the sidecar would.
      const exporters =
        flags.exporters === undefined
          ? undefined
          : readAgentConfig({ flags: { exporters: flags.exporters }, env: {} }).exporters;
      const file = await readTaskDefinitionFile(path);
      const taskDefinition = unwrapTaskDefinition(file.document);
      if (
        typeof taskDefinition !== 'object' ||
        taskDefinition === null ||
        !Array.isArray((taskDefinition as { containerDefinitions?: unknown }).containerDefinitions)
      )
        throw new UsageError(
          `TASKDEF.json ${file.name}: no "containerDefinitions" array; expected a task definition or describe-task-definition output`,
        );
      const result = injectSidecar(file.document, {
        image: flags.image ?? DEFAULT_IMAGE,
        imageGiven: flags.image !== undefined,
        name: flags.name,
        port: flags.port,
        ...(flags.cpu === undefined ? {} : { cpuUnits: flags.cpu }),
        ...(flags.memory === undefined ? {} : { memoryMiB: flags.memory }),
        ...(exporters === undefined ? {} : { exporters: exporters.join(',') }),
        prometheus: exporters === undefined || exporters.includes('prometheus'),
      });
      if ('refused' in result)
        throw new InjectError(`cannot add the sidecar to ${file.name}: ${result.refused}`);
      const json = `${JSON.stringify(result, null, 2)}\n`;
      if (flags.out === undefined) {
        io.stdout(json);
        return;
      }
      try {
        await writeFile(flags.out, json);
      } catch (error) {
        throw new UsageError(
          `--out ${flags.out}: cannot be written (${(error as NodeJS.ErrnoException).code ?? error}); expected a writable file`,
          { cause: error },
        );
      }
    });
}

function nonEmpty(text: string): string {
  if (text.trim() === '')
    throw new InvalidArgumentError('expected an image reference such as ghcr.io/taskscope/taskscope:0.1.0');
  return text;
}

function containerName(text: string): string {
  if (!isContainerName(text)) throw new InvalidArgumentError(`expected ${CONTAINER_NAME_WORDS}`);
  return text;
}

function portArg(text: string): number {
  const port = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) throw new InvalidArgumentError('expected a port from 1 to 65535');
  return port;
}

function memoryArg(text: string): number {
  const mib = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(mib >= 6))
    throw new InvalidArgumentError('expected a whole number of MiB ≥ 6 (the least Docker gives a container)');
  return mib;
}
