// Seeded randomness for tests: every failure can be replayed from the seed it prints.

/** The library's seeded PRNG (mulberry32): floats in [0, 1). */
export { seededRandom as rng } from '../../src/util/random.js';

/** Uniform integers in [lo, hi]. */
export function ints(r: () => number, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
}

/** Uniform floats in [-scale, scale). */
export function floats(r: () => number, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

/** Bernoulli spikes (0/1 floats) with probability p. */
export function spikes(r: () => number, n: number, p: number): Float32Array {
  return Float32Array.from({ length: n }, () => (r() < p ? 1 : 0));
}
