/*
 * Seeded randomness, one generator for the whole mock. Fault probabilities draw from one
 * stream in request order, so the same `--seed` and requests replay exactly. The scenario
 * engine instead derives every random choice from the seed and a tag (the container name,
 * the refresh index…), never from call order, so adding a container or asking for a later
 * time first does not change any other byte (docs/contract.md `--seed`).
 */

/**
 * mulberry32: a tiny seeded PRNG. Returns numbers in [0, 1); the stream is a pure function
 * of the 32-bit seed.
 */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A 32-bit hash of the seed and the tags (xmur3-style mixing). */
function hash32(seed: number, tags: readonly (string | number)[]): number {
  const text = `${seed}\u0000${tags.join('\u0000')}`;
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniform number in [0, 1) for the seed and tags, without any state. */
export function unitHash(seed: number, ...tags: (string | number)[]): number {
  return hash32(seed, tags) / 4_294_967_296;
}

/** A seeded stream ({@link createPrng} seeded by the tags' hash) for drawing several values under one tag. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** An integer in [min, max]. */
  integer(min: number, max: number): number;
  /** `count` lowercase hex digits. */
  hex(count: number): string;
  /** A version-4 UUID. */
  uuid(): string;
}

export function createRandom(seed: number, ...tags: (string | number)[]): Random {
  const next = createPrng(hash32(seed, tags));
  const hex = (count: number): string => {
    let out = '';
    for (let i = 0; i < count; i++) out += Math.floor(next() * 16).toString(16);
    return out;
  };
  return {
    next,
    between: (min, max) => min + next() * (max - min),
    integer: (min, max) => min + Math.floor(next() * (max - min + 1)),
    hex,
    uuid: () => {
      const variant = (8 + Math.floor(next() * 4)).toString(16);
      return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
    },
  };
}
