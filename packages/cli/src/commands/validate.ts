import { type TaskDefinitionProblem, validateTaskDefinition } from '@taskscope/fargate';
import { formatProblem, oneOf } from '@taskscope/input';
import { type Command, InvalidArgumentError } from 'commander';
import { ValidateError } from '../errors.js';
import type { CliIo } from '../io.js';
import { option } from '../options.js';
import { readTaskDefinitionFile } from './task-definition-file.js';

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface ValidateFlags {
  readonly format: Format;
}

/** `taskscope validate TASKDEF.json [--format text|json]`. */
export function registerValidateCommand(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description(
      'check a task definition (or describe-task-definition output) against the Fargate rules; exit 1 with every problem',
    )
    .argument('<TASKDEF.json>', 'the task definition; - reads stdin')
    .addOption(
      option('validate', '--format <format>', 'text: one line a problem; json: an array of problems')
        .default('text')
        .argParser(parseFormat),
    )
    .action(async (path: string, flags: ValidateFlags) => {
      const file = await readTaskDefinitionFile(path);
      const problems = validateTaskDefinition(file.document);
      io.stdout(flags.format === 'json' ? formatJson(problems) : formatText(file.name, problems));
      if (problems.length > 0) {
        const count = problems.length === 1 ? '1 rule' : `${problems.length} rules`;
        throw new ValidateError(`${file.name} breaks ${count} (listed on stdout)`, problems.length);
      }
    });
}

function parseFormat(text: string): Format {
  if (!(FORMATS as readonly string[]).includes(text))
    throw new InvalidArgumentError(`expected ${oneOf(FORMATS)}`);
  return text as Format;
}

/** One line a problem in the project's message shape, with the rule's id: `task.json: field "cpu" is …; expected … [task-size]`. */
export function formatText(name: string, problems: readonly TaskDefinitionProblem[]): string {
  if (problems.length === 0) return `${name}: no problems\n`;
  return problems.map((problem) => `${name}: ${formatProblem(problem)} [${problem.rule}]\n`).join('');
}

/** The problems as a JSON array of `{field, value, rule, allowed}`; `value` is absent for a missing field. */
export function formatJson(problems: readonly TaskDefinitionProblem[]): string {
  const entries = problems.map(({ field, value, rule, allowed }) => ({ field, value, rule, allowed }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}
