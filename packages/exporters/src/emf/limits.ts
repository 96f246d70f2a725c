/**
 * CloudWatch's rules for a dimension (Amazon CloudWatch API Reference, "Dimension"): a name
 * of 1 to 255 ASCII characters, not starting with `:`; a value of 1 to 1024 ASCII characters
 * with at least one that is not whitespace; no ASCII control characters in either; at most 30
 * dimensions per metric. A log event whose directive breaks them yields no metric at all, so
 * the translator checks every dimension set against the values it would carry.
 *
 * ECS itself allows only letters, digits, `-` and `_` in cluster, family, service and container
 * names (up to 255), so a real task always passes; a hand-written scenario, a recording or a
 * future payload may not. Rule (docs/security.md): a dimension set that names a key whose
 * value breaks the rules is left out of that event, counted in `droppedDimensionSets`; an
 * event left with no dimension set is not written, counted in `droppedEvents`. The values
 * stay as they are wherever they ride as properties: only the metric extraction needs them clean.
 */

/** CloudWatch `Dimension.Name`: "Maximum length of 255". */
export const EMF_MAX_DIMENSION_NAME_CHARS = 255;
/** CloudWatch `Dimension.Value`: "Maximum length of 1024". */
export const EMF_MAX_DIMENSION_VALUE_CHARS = 1024;
/** CloudWatch: "You can assign up to 30 dimensions to a metric" (also the EMF specification's cap). */
export const EMF_MAX_DIMENSIONS_PER_SET = 30;

/** What the translator left out to stay within CloudWatch's rules; the caller owns and reads it. */
export interface EmfDropCounts {
  /** Dimension sets left out of an event because a key or its value breaks the rules. */
  droppedDimensionSets: number;
  /** Events not written because none of their dimension sets was left. */
  droppedEvents: number;
}

/** Printable ASCII (0x20–0x7E) only: no control characters, nothing outside ASCII. */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** Whether CloudWatch takes `name` as a dimension name. */
export function isDimensionName(name: string): boolean {
  return (
    name.length <= EMF_MAX_DIMENSION_NAME_CHARS &&
    PRINTABLE_ASCII.test(name) &&
    !name.startsWith(':') &&
    name.trim() !== ''
  );
}

/** Whether CloudWatch takes `value` as a dimension value. */
export function isDimensionValue(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= EMF_MAX_DIMENSION_VALUE_CHARS &&
    PRINTABLE_ASCII.test(value) &&
    value.trim() !== ''
  );
}

/**
 * The dimension sets CloudWatch would take for an event with these members: every set with at
 * most {@link EMF_MAX_DIMENSIONS_PER_SET} keys whose names and member values pass. The others
 * are counted in `counts.droppedDimensionSets`. Returns `sets` itself when all pass.
 */
export function usableDimensionSets(
  sets: readonly (readonly string[])[],
  members: Readonly<Record<string, unknown>>,
  counts?: EmfDropCounts,
): string[][] {
  const usable = sets.filter(
    (set) =>
      set.length <= EMF_MAX_DIMENSIONS_PER_SET &&
      set.every((key) => isDimensionName(key) && isDimensionValue(members[key])),
  );
  if (counts) counts.droppedDimensionSets += sets.length - usable.length;
  return usable as string[][];
}
