import type { PayloadTime } from '@taskscope/wire';

/** A writable view of a readonly output type, for building it field by field. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A usable gauge or counter: a finite non-negative number, else `undefined`. */
export function finite(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `a` strictly after `b`. */
export function isLater(a: PayloadTime, b: PayloadTime): boolean {
  return a.epochSeconds > b.epochSeconds || (a.epochSeconds === b.epochSeconds && a.nanos > b.nanos);
}
