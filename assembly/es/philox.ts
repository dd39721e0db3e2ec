// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a
// counter-based generator. Output block = bijection_key(counter): no state, so member i's
// perturbation in generation g is regenerated anywhere from (seed, g, i) alone, which is what
// lets ES workers receive seeds instead of parameter vectors. src/es/rng.ts is the
// TypeScript twin (equal output, tested); known-answer vectors are Random123's kat_vectors.
//
// Streams (the second key word separates them):
//   noise:  key (seed, STREAM_NOISE), counter (block, member, generation, 0) → 4 normals
//           for parameters 4·block … 4·block+3 of noise vector `member`;
//   reset:  key (seed, STREAM_RESET), counter (episode, generation, 0, 0) → 4 uniforms, the
//           initial state of `episode` (shared by every member: common random numbers).
import { det_cos, det_sin, det_log_u32h } from '../env/trig';

export const STREAM_NOISE: u32 = 0x6e6f6973; // "nois"
export const STREAM_RESET: u32 = 0x72657365; // "rese"

// Output words of the last philox4x32 call (globals: no allocation, one result at a time).
let o0: u32 = 0, o1: u32 = 0, o2: u32 = 0, o3: u32 = 0;

// @ts-ignore: decorator
@inline function mulhi(a: u32, b: u32): u32 {
  return <u32>((<u64>a * <u64>b) >> 32);
}

/** One Philox4x32-10 block; the result is left in o0..o3. */
function philox(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  for (let r = 0; r < 10; r++) {
    const h0 = mulhi(0xD2511F53, c0), l0 = 0xD2511F53 * c0;
    const h1 = mulhi(0xCD9E8D57, c2), l1 = 0xCD9E8D57 * c2;
    c0 = h1 ^ c1 ^ k0;
    c1 = l1;
    c2 = h0 ^ c3 ^ k1;
    c3 = l0;
    k0 += 0x9E3779B9;
    k1 += 0xBB67AE85;
  }
  o0 = c0; o1 = c1; o2 = c2; o3 = c3;
}

/** Known-answer access for tests: writes the 4 output words of block (c, k) at out. */
export function philox4x32_ref(out: usize, c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  philox(c0, c1, c2, c3, k0, k1);
  store<u32>(out, o0); store<u32>(out, o1, 4); store<u32>(out, o2, 8); store<u32>(out, o3, 12);
}

// Normals of the last gaussian4 call.
export let g0: f64 = 0, g1: f64 = 0, g2: f64 = 0, g3: f64 = 0;

/** Box–Muller over one block: (o0, o1) and (o2, o3) → 4 standard normals in g0..g3. */
export function gaussian4(seed: u32, generation: u32, member: u32, block: u32): void {
  philox(block, member, generation, 0, seed, STREAM_NOISE);
  const r0 = Math.sqrt(-2.0 * det_log_u32h(o0)), t0 = <f64>o1 * 1.4629180792671596e-9; // 2π/2^32
  const r1 = Math.sqrt(-2.0 * det_log_u32h(o2)), t1 = <f64>o3 * 1.4629180792671596e-9;
  g0 = r0 * det_cos(t0); g1 = r0 * det_sin(t0);
  g2 = r1 * det_cos(t1); g3 = r1 * det_sin(t1);
}

/** Test/debug kernel: noise vector `member`, parameters [0, dims) → f64 out. */
export function es_noise_f64(out: usize, dims: i32, seed: u32, generation: u32, member: u32): void {
  for (let d = 0; d < dims; d += 4) {
    gaussian4(seed, generation, member, <u32>(d >> 2));
    const p = out + (<usize>d << 3);
    store<f64>(p, g0);
    if (d + 1 < dims) store<f64>(p, g1, 8);
    if (d + 2 < dims) store<f64>(p, g2, 16);
    if (d + 3 < dims) store<f64>(p, g3, 24);
  }
}

/** 4 uniforms in [0, 1) (a / 2^32, exact) of the reset stream for `episode`, into out[0..4). */
export function reset_uniform4(out: usize, seed: u32, generation: u32, episode: u32): void {
  philox(episode, generation, 0, 0, seed, STREAM_RESET);
  store<f64>(out, <f64>o0 * 2.3283064365386963e-10);
  store<f64>(out, <f64>o1 * 2.3283064365386963e-10, 8);
  store<f64>(out, <f64>o2 * 2.3283064365386963e-10, 16);
  store<f64>(out, <f64>o3 * 2.3283064365386963e-10, 24);
}
