/**
 * Freezes `value` and everything reachable from it, and returns it: validated configuration and
 * scenarios are handed out frozen so no caller can change what another one reads.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
