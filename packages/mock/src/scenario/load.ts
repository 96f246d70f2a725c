import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Problem } from '@taskscope/input';
import { parseDocument } from 'yaml';
import { MOCK_OPTIONS_SOURCE } from '../common/errors.js';
import { builtInScenario, builtInScenarioNames } from './built-ins.js';
import { ScenarioError } from './errors.js';
import type { Scenario } from './schema/types.js';
import { validateScenarioValue } from './validate.js';

/**
 * Parses and validates a scenario document. `origin` (a file name) starts every error
 * message, and its base name is the scenario's name when the document has none.
 */
export function parseScenarioText(text: string, format: 'json' | 'yaml', origin = 'scenario'): Scenario {
  const document = format === 'json' ? parseJson(text, origin) : parseYaml(text, origin);
  return validateScenarioValue(document, origin);
}

/**
 * A built-in scenario by name, else a `.json`, `.yaml` or `.yml` file. Errors are
 * {@link ScenarioError}s naming the built-ins and the file formats allowed.
 */
export async function loadScenario(nameOrFilePath: string): Promise<Scenario> {
  if (builtInScenarioNames.includes(nameOrFilePath)) return builtInScenario(nameOrFilePath);
  const extension = extname(nameOrFilePath).toLowerCase();
  const allowed = `a built-in (${builtInScenarioNames.join(', ')}) or a .json, .yaml or .yml file`;
  if (!['.json', '.yaml', '.yml'].includes(extension)) {
    return fail(MOCK_OPTIONS_SOURCE, { field: 'scenario', value: nameOrFilePath, allowed });
  }
  let text: string;
  try {
    text = await readFile(nameOrFilePath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return fail(
      MOCK_OPTIONS_SOURCE,
      {
        field: 'scenario',
        value: nameOrFilePath,
        allowed: `${allowed} that can be read (reading it failed: ${reason})`,
      },
      error,
    );
  }
  return parseScenarioText(text, extension === '.json' ? 'json' : 'yaml', nameOrFilePath);
}

function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message;
    return fail(
      `scenario ${origin}`,
      { field: '', value: text, allowed: `a JSON document (see SCENARIOS.md); not JSON: ${reason}` },
      error,
    );
  }
}

function parseYaml(text: string, origin: string): unknown {
  const document = parseDocument(text, { uniqueKeys: true });
  const error = document.errors[0];
  if (error) {
    const where = error.linePos?.[0]
      ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`
      : '';
    const reason = error.message.split('\n')[0];
    return fail(
      `scenario ${origin}`,
      { field: '', value: text, allowed: `a YAML document (see SCENARIOS.md); not YAML${where}: ${reason}` },
      error,
    );
  }
  return document.toJS();
}

/** `source` names the file (`scenario web.yaml`) or the option (`mock options`, field `scenario`). */
function fail(source: string, problem: Problem, cause?: unknown): never {
  throw new ScenarioError(source, [problem], cause === undefined ? undefined : { cause });
}
