import { readFileSync } from 'node:fs';

/** A task definition AWS publishes, from `fixtures/` (provenance in fixtures/README.md). */
export function awsTaskDefinition(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** The Fargate web server of AWS's docs, with its fields replaced by `changes` (undefined removes one). */
export function fargateTask(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const task: Record<string, unknown> = {
    ...awsTaskDefinition('aws-docs-fargate-linux-webserver'),
    ...changes,
  };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete task[key];
  return task;
}

/** A container with a name and an image, and `fields`. */
export function container(name: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: `${name}:1`, ...fields };
}
