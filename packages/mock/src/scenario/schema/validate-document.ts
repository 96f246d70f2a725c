import { type Problem, problemsOf, safeParseInput } from '@taskscope/input';
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

/**
 * Validates a parsed document; returns the scenario or every problem found (field, the
 * value found there in the document as written, what is allowed), first one first. The
 * rules across fields run only on a document whose fields all parse, and report one.
 */
export function validateScenarioDocument(
  document: unknown,
  fallbackName: string,
): { ok: true; scenario: Scenario } | { ok: false; problems: Problem[] } {
  const parsed = safeParseInput(DocumentSchema, document);
  if (!parsed.success) {
    // Every schema words its own issues, so each problem's `allowed` is our text as is.
    return { ok: false, problems: problemsOf(parsed.issues, document) };
  }
  const problem = documentProblem(parsed.output);
  if (problem) {
    const field = problem.path.join('.');
    return {
      ok: false,
      problems: [{ field, value: valueAt(document, problem.path), allowed: problem.allowed }],
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
