import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

/*
 * Validates EMF lines the way CloudWatch Logs would judge them: the repo's JSON Schema of the
 * specification (packages/exporters/src/emf/emf-schema.json, written from
 * awsdocs CloudWatch_Embedded_Metric_Format_Specification.md) plus what a schema cannot say:
 * every metric a directive names is a root number (or ≤ 100 numbers), every dimension a root
 * string of ≤ 1024 characters, and the line fits the 16 KiB split of non-blocking awslogs
 * (moby/moby#41794).
 */

// By path, not through a dependency: @taskscope/exporters' own tests use this package.
const schema = JSON.parse(
  readFileSync(new URL('../../exporters/src/emf/emf-schema.json', import.meta.url), 'utf8'),
);
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** The 16 KiB line limit of non-blocking awslogs and FireLens. */
export const EMF_LINE_LIMIT_BYTES = 16 * 1024;

// biome-ignore lint/suspicious/noExplicitAny: an EMF document is open-ended JSON.
export type EmfDocument = Record<string, any> & {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit?: string }[];
    }[];
  };
};

/** Every problem with one stdout line as an EMF document; empty when it is valid. */
export function emfProblems(line: string): string[] {
  const problems: string[] = [];
  const bytes = Buffer.byteLength(line);
  if (bytes >= EMF_LINE_LIMIT_BYTES) problems.push(`line is ${bytes} bytes (limit ${EMF_LINE_LIMIT_BYTES})`);
  let doc: EmfDocument;
  try {
    doc = JSON.parse(line);
  } catch (error) {
    return [...problems, `not JSON: ${(error as Error).message}`];
  }
  if (!validate(doc)) {
    for (const e of validate.errors ?? []) problems.push(`schema: ${e.instancePath || '/'} ${e.message}`);
    return problems;
  }
  for (const directive of doc._aws.CloudWatchMetrics) {
    for (const set of directive.Dimensions) {
      for (const key of set) {
        const value = doc[key];
        if (typeof value !== 'string' || value.length === 0 || value.length > 1024) {
          problems.push(
            `dimension ${key} must be a root string of 1 to 1024 characters, got ${JSON.stringify(value)}`,
          );
        }
      }
    }
    for (const { Name } of directive.Metrics) {
      const value = doc[Name];
      const ok =
        (typeof value === 'number' && Number.isFinite(value)) ||
        (Array.isArray(value) &&
          value.length > 0 &&
          value.length <= 100 &&
          value.every((v) => typeof v === 'number' && Number.isFinite(v)));
      if (!ok)
        problems.push(
          `metric ${Name} must be a root number or up to 100 numbers, got ${JSON.stringify(value)}`,
        );
    }
  }
  return problems;
}

/** Parses lines that passed {@link emfProblems}. */
export function parseEmf(lines: readonly string[]): EmfDocument[] {
  return lines.map((line) => JSON.parse(line) as EmfDocument);
}
