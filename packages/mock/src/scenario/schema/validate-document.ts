import { safeParseInput, summarizeIssues } from '@taskscope/input';
import { documentProblem } from './document-rules.js';
import { DocumentSchema } from './document-schema.js';
import { toScenario } from './to-scenario.js';
import type { Scenario } from './types.js';

/*
 * The scenario file format (documented field by field in packages/mock/SCENARIOS.md):
 * field schemas first, then the rules across fields. Every rule the real service enforces
 * and the engine depends on (Fargate's CPU/memory pairs, awsvpc on Fargate, 1 to 10
 * containers) is checked, so a bad file fails with one message at load time.
 */

/** A problem found in a scenario document: where, the value found there, and what is allowed. */
export interface SchemaProblem {
  /** Dotted path (`containers.0.load.cpuCores`), `""` for the whole document. */
  readonly path: string;
  /** The value at `path` in the document as written (`undefined` when missing). */
  readonly value: unknown;
  readonly allowed: string;
  /** All problems, first one first, as `path: allowed`. */
  readonly all: readonly string[];
}

/** Validates a parsed document; returns the scenario or the first problem. */
export function validateScenarioDocument(
  document: unknown,
  fallbackName: string,
): { ok: true; scenario: Scenario } | { ok: false; problem: SchemaProblem } {
  const parsed = safeParseInput(DocumentSchema, document);
  if (!parsed.success) {
    // Every schema above words its own issues, so the summary's `expected` is our text as is.
    const { path, value, expected, problems } = summarizeIssues(parsed.issues, document);
    return { ok: false, problem: { path, value, allowed: expected, all: problems } };
  }
  const problem = documentProblem(parsed.output);
  if (problem) {
    const path = problem.path.join('.');
    const value = valueAt(document, problem.path);
    return {
      ok: false,
      problem: { path, value, allowed: problem.allowed, all: [`${path}: ${problem.allowed}`] },
    };
  }
  return { ok: true, scenario: toScenario(parsed.output, fallbackName) };
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}
