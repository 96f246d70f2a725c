import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
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
    return fail(`scenario "${nameOrFilePath}" is not one; allowed: ${allowed}`, '', nameOrFilePath, allowed);
  }
  let text: string;
  try {
    text = await readFile(nameOrFilePath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return fail(
      `scenario "${nameOrFilePath}" cannot be read (${reason}); allowed: ${allowed}`,
      '',
      nameOrFilePath,
      allowed,
      {
        cause: error,
      },
    );
  }
  return parseScenarioText(text, extension === '.json' ? 'json' : 'yaml', nameOrFilePath);
}

function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const allowed = 'a JSON document (see SCENARIOS.md)';
    return fail(
      `scenario ${origin}: not valid JSON (${(error as Error).message}); allowed: ${allowed}`,
      '',
      text,
      allowed,
      {
        cause: error,
      },
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
    const allowed = 'a YAML document (see SCENARIOS.md)';
    const reason = error.message.split('\n')[0];
    return fail(
      `scenario ${origin}: not valid YAML${where} (${reason}); allowed: ${allowed}`,
      '',
      text,
      allowed,
      {
        cause: error,
      },
    );
  }
  return document.toJS();
}

function fail(message: string, path: string, value: unknown, allowed: string, options?: ErrorOptions): never {
  throw new ScenarioError(message, path, value, allowed, options);
}
