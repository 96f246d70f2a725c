import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { UsageError } from '../errors.js';

/** A task definition file as read: its name for messages, and its parsed JSON. */
export interface TaskDefinitionFile {
  /** The path as given, or `stdin` for `-`. */
  readonly name: string;
  readonly document: unknown;
}

/**
 * Reads the TASKDEF.json of `validate` and `inject` (`-` reads stdin, for
 * `aws ecs describe-task-definition … | taskscope inject -`). A file that cannot be read or is not
 * JSON is the user's input: a UsageError, exit 2 (docs/contract.md).
 */
export async function readTaskDefinitionFile(
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<TaskDefinitionFile> {
  const name = path === '-' ? 'stdin' : path;
  let source: string;
  try {
    source = path === '-' ? await text(stdin) : await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`TASKDEF.json ${name}: cannot be read (${reason}); expected a readable JSON file`, {
      cause: error,
    });
  }
  try {
    return { name, document: JSON.parse(source) as unknown };
  } catch (error) {
    throw new UsageError(
      `TASKDEF.json ${name}: not JSON (${(error as Error).message}); expected a task definition in JSON`,
      { cause: error },
    );
  }
}
