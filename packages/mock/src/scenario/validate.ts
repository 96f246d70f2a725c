import { basename, extname } from 'node:path';
import { ScenarioError } from './errors.js';
import type { Scenario } from './schema/types.js';
import { validateScenarioDocument } from './schema/validate-document.js';

/*
 * Validation of a parsed scenario document, apart from reading files and built-ins: the
 * built-ins are documents validated here, and loading a name looks at the built-ins, so
 * this module must import neither.
 */

/** Validates an already-parsed document (for built-ins and programmatic use). */
export function validateScenarioValue(document: unknown, origin = 'scenario'): Scenario {
  const fallbackName = basename(origin, extname(origin)) || 'scenario';
  const result = validateScenarioDocument(document, fallbackName);
  if (result.ok) return result.scenario;
  throw new ScenarioError(`scenario ${origin}`, result.problems);
}
