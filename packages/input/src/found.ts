/** `"12" (string)`, `null (null)`, `missing` (undefined), long values shortened: for "is X" in messages. */
export function describeFound(value: unknown): string {
  return value === undefined ? 'missing' : `${preview(value)} (${kindOf(value)})`;
}

/** At most 60 characters of the value, as JSON (numbers and bigints as digits). */
export function preview(value: unknown): string {
  const text = typeof value === 'number' || typeof value === 'bigint' ? String(value) : stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `one of "v2", "v3", "v4"`: the words for a literal or a picklist, as messages say them. */
export function oneOf(values: readonly (string | number | boolean)[]): string {
  return `one of ${values.map((value) => JSON.stringify(value)).join(', ')}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Circular structures and nested bigints cannot be JSON; name the kind instead.
    return Object.prototype.toString.call(value);
  }
}
