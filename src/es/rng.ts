// Philox4x32-10, the TypeScript twin of assembly/es/philox.ts (same streams, same output bit
// for bit: test/es-rng.test.ts). Counter-based: block = f_key(counter), so any member's noise
// is regenerated from (seed, generation, member) without replaying a sequence.
import { detCos, detLogU32h, detSin } from '../envs/trig.js';

/** Key word separating the perturbation-noise stream. */
export const STREAM_NOISE = 0x6e6f6973;
/** Key word separating the episode-reset stream. */
export const STREAM_RESET = 0x72657365;

/** High 32 bits of the 64-bit product of two u32 (exact, via 16-bit halves). */
function mulhi(a: number, b: number): number {
  const p = (a & 0xffff) * b;           // < 2^48, exact
  const q = (a >>> 16) * b;             // < 2^48, exact
  return Math.floor((q + Math.floor(p / 65536)) / 65536) >>> 0;
}

/**
 * One Philox4x32-10 block.
 * @param c Counter words (4 × u32).
 * @param k0 First key word.
 * @param k1 Second key word.
 * @param out Receives the 4 output words.
 * @returns `out`.
 */
export function philox4x32(c: ArrayLike<number>, k0: number, k1: number, out: Uint32Array = new Uint32Array(4)): Uint32Array {
  let c0 = c[0] >>> 0, c1 = c[1] >>> 0, c2 = c[2] >>> 0, c3 = c[3] >>> 0;
  k0 >>>= 0; k1 >>>= 0;
  for (let r = 0; r < 10; r++) {
    const h0 = mulhi(0xd2511f53, c0), l0 = Math.imul(0xd2511f53, c0) >>> 0;
    const h1 = mulhi(0xcd9e8d57, c2), l1 = Math.imul(0xcd9e8d57, c2) >>> 0;
    c0 = (h1 ^ c1 ^ k0) >>> 0;
    c1 = l1;
    c2 = (h0 ^ c3 ^ k1) >>> 0;
    c3 = l0;
    k0 = (k0 + 0x9e3779b9) >>> 0;
    k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
  return out;
}

const words = new Uint32Array(4);
const TWO_PI_2_32 = 1.4629180792671596e-9;

/**
 * Noise vector `member` of generation `generation`: `dims` standard normals (Box–Muller over
 * Philox blocks, 4 normals per block), equal bit for bit to the wasm kernels'.
 * @param seed Run seed (u32).
 * @param generation Generation index (u32).
 * @param member Noise-vector index (u32; antithetic pairs share one).
 * @param dims Number of parameters.
 * @param out Optional destination.
 * @returns The normals.
 */
export function noiseVector(seed: number, generation: number, member: number, dims: number,
                            out: Float64Array = new Float64Array(dims)): Float64Array {
  const c = [0, member >>> 0, generation >>> 0, 0];
  for (let d = 0; d < dims; d += 4) {
    c[0] = d >> 2;
    philox4x32(c, seed, STREAM_NOISE, words);
    const r0 = Math.sqrt(-2.0 * detLogU32h(words[0])), t0 = words[1] * TWO_PI_2_32;
    const r1 = Math.sqrt(-2.0 * detLogU32h(words[2])), t1 = words[3] * TWO_PI_2_32;
    out[d] = r0 * detCos(t0);
    if (d + 1 < dims) out[d + 1] = r0 * detSin(t0);
    if (d + 2 < dims) out[d + 2] = r1 * detCos(t1);
    if (d + 3 < dims) out[d + 3] = r1 * detSin(t1);
  }
  return out;
}

/**
 * The 4 uniforms in [0, 1) that set the initial state of `episode` (reset stream).
 * @param seed Run seed.
 * @param generation Generation (or evaluation) index.
 * @param episode Episode index.
 * @returns Four numbers a / 2^32.
 */
export function resetUniforms(seed: number, generation: number, episode: number): Float64Array {
  philox4x32([episode >>> 0, generation >>> 0, 0, 0], seed, STREAM_RESET, words);
  return Float64Array.from(words, (w) => w * 2.3283064365386963e-10);
}
