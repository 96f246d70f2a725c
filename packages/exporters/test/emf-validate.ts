import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const schema = JSON.parse(readFileSync(new URL('../src/emf/emf-schema.json', import.meta.url), 'utf8'));
const validateSchema = new Ajv({ allErrors: true }).compile(schema);

interface EmfDocument {
  readonly _aws: { readonly CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  readonly [member: string]: unknown;
}

/**
 * Every problem of one EMF line: JSON Schema errors, then the rules a schema cannot state
 * (a metric named in a directive is a root number or ≤ 100 numbers; a dimension is a root
 * string ≤ 1024 characters), then the 16 KiB line limit.
 */
export function emfProblems(line: string): string[] {
  const problems: string[] = [];
  if (Buffer.byteLength(line) >= 16 * 1024) problems.push(`line is ${Buffer.byteLength(line)} bytes`);
  if (line.includes('\n', 0) && line.indexOf('\n') !== line.length - 1)
    problems.push('line contains a newline');
  const doc = JSON.parse(line) as EmfDocument;
  if (!validateSchema(doc as unknown)) {
    for (const e of validateSchema.errors ?? []) problems.push(`${e.instancePath} ${e.message}`);
    return problems;
  }
  for (const directive of doc._aws.CloudWatchMetrics) {
    for (const set of directive.Dimensions) {
      for (const key of set) {
        const value = doc[key];
        if (typeof value !== 'string' || value.length > 1024)
          problems.push(`dimension ${key} is ${JSON.stringify(value)}`);
      }
    }
    for (const { Name } of directive.Metrics) {
      const value = doc[Name];
      const ok =
        (typeof value === 'number' && Number.isFinite(value)) ||
        (Array.isArray(value) &&
          value.length <= 100 &&
          value.every((v) => typeof v === 'number' && Number.isFinite(v)));
      if (!ok) problems.push(`metric ${Name} is ${JSON.stringify(value)}`);
    }
  }
  return problems;
}
