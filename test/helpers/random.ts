// Seeded randomness for tests: every failure can be replayed from the seed it prints.

/** mulberry32: a tiny, fast 32-bit PRNG; returns floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
