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
import { sinPoly2, cosPoly2, INV_PIO2, PIO2_HI, PIO2_LO } from '../env/trig';

export const STREAM_NOISE: u32 = 0x6e6f6973; // "nois"
export const STREAM_RESET: u32 = 0x72657365; // "rese"

// Output words of the last philox call (globals: no allocation, one result at a time).
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

/**
 * Test/debug kernel: noise vector `member`, parameters [0, dims) → f64 out. Runs gaussian4x4
 * (the evaluator's generator) with `member` in lane member & 3 of a block of 4 consecutive
 * indices, so the tests reach every lane. Scratch: 128 bytes after out[dims] (16-byte aligned).
 */
export function es_noise_f64(out: usize, dims: i32, seed: u32, generation: u32, member: u32): void {
  const lane = member & 3, m0 = member - lane;
  const members = i32x4.add(i32x4.splat(m0), i32x4(0, 1, 2, 3));
  const z = (out + (<usize>dims << 3) + 15) & ~15;
  for (let d = 0; d < dims; d += 4) {
    gaussian4x4(seed, generation, members, <u32>(d >> 2), z);
    const q = z + (<usize>lane << 5);
    for (let j = 0; j < 4 && d + j < dims; j++) store<f64>(out + (<usize>(d + j) << 3), load<f64>(q + (<usize>j << 3)));
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

// ---- Noise: four noise vectors at once (SIMD) -------------------------------------------------
// Block b of noise vector k is Box–Muller over Philox(counter (b, k, generation, 0), key (seed,
// STREAM_NOISE)): (o0, o1) → r0·cos t0, r0·sin t0 and (o2, o3) → r1·cos t1, r1·sin t1, with
// r = √(−2·ln((o + ½)/2^32)) and t = o'·2π/2^32 (src/es/rng.ts noiseVector is the TypeScript
// twin). Here four noise vectors sit in the i32x4 lanes: the Philox products come from
// i64x2.extmul, log/sin/cos run in f64x2 with the scalar functions' operation sequences (trig.ts:
// det_log_u32h, det_sin, det_cos), so every lane equals the scalar result bit for bit. Scalar,
// one block cost ~400 cycles of four back-to-back latency chains (Philox, log, sin, cos); here
// the chains serve four vectors and overlap (noise share of a 256-member evaluation 1.0 → 0.3 ms,
// together with drawing an antithetic pair's vector once).

/** ln((a + ½)/2^32) for the u32 in lanes 0 and 1 of a (f64x2), as det_log_u32h. */
// @ts-ignore: decorator
@inline function logU32h2(a: v128): v128 {
  const y = f64x2.add(f64x2.convert_low_i32x4_u(a), f64x2.splat(0.5));
  // k = ⌊log2 a⌋ (a = 0: −1) is y's exponent; m = y·2^−k is y with exponent 0 (the product is exact).
  const e = i64x2.shr_u(y, 52);
  let k = i32x4.sub(v128.shuffle<i32>(e, e, 0, 2, 0, 2), i32x4.splat(1023));
  let m = v128.or(v128.and(y, i64x2.splat(0x000FFFFFFFFFFFFF)), i64x2.splat(0x3FF0000000000000));
  const big = f64x2.gt(m, f64x2.splat(1.4142135623730951));
  m = v128.bitselect(f64x2.mul(m, f64x2.splat(0.5)), m, big);
  k = i32x4.sub(k, v128.shuffle<i32>(big, big, 0, 2, 0, 2)); // big lanes are −1: k + 1
  const s = f64x2.div(f64x2.sub(m, f64x2.splat(1.0)), f64x2.add(m, f64x2.splat(1.0)));
  const z = f64x2.mul(s, s);
  let p = f64x2.splat(1.0 / 23.0);
  p = f64x2.add(f64x2.splat(1.0 / 21.0), f64x2.mul(z, p));
  p = f64x2.add(f64x2.splat(1.0 / 19.0), f64x2.mul(z, p));
  p = f64x2.add(f64x2.splat(1.0 / 17.0), f64x2.mul(z, p));
  p = f64x2.add(f64x2.splat(1.0 / 15.0), f64x2.mul(z, p));
  p = f64x2.add(f64x2.splat(1.0 / 13.0), f64x2.mul(z, p));
  p = f64x2.add(f64x2.splat(1.0 / 11.0), f64x2.mul(z, p));
  p = f64x2.add(f64x2.splat(1.0 / 9.0), f64x2.mul(z, p));
  p = f64x2.add(f64x2.splat(1.0 / 7.0), f64x2.mul(z, p));
  p = f64x2.add(f64x2.splat(1.0 / 5.0), f64x2.mul(z, p));
  p = f64x2.add(f64x2.splat(1.0 / 3.0), f64x2.mul(z, p));
  p = f64x2.add(f64x2.splat(1.0), f64x2.mul(z, p));
  const kf = f64x2.convert_low_i32x4_s(i32x4.sub(k, i32x4.splat(32)));
  return f64x2.add(f64x2.mul(kf, f64x2.splat(0.6931471805599453)), f64x2.mul(f64x2.mul(f64x2.splat(2.0), s), p));
}

/**
 * Box–Muller for two members (f64x2 lanes): words (a, b) → r = √(−2·ln u(a)), t = b·2π/2^32;
 * stores r·cos t at out and r·sin t at out + 16 (lane j = member j).
 */
// @ts-ignore: decorator
@inline function boxMuller2(a: v128, b: v128, out: usize): void {
  const r = f64x2.sqrt(f64x2.mul(f64x2.splat(-2.0), logU32h2(a)));
  const t = f64x2.mul(f64x2.convert_low_i32x4_u(b), f64x2.splat(1.4629180792671596e-9));
  const k = f64x2.floor(f64x2.add(f64x2.mul(t, f64x2.splat(INV_PIO2)), f64x2.splat(0.5)));
  const q = f64x2.sub(k, f64x2.mul(f64x2.splat(4.0), f64x2.floor(f64x2.mul(k, f64x2.splat(0.25)))));
  const rr = f64x2.sub(f64x2.sub(t, f64x2.mul(k, f64x2.splat(PIO2_HI))), f64x2.mul(k, f64x2.splat(PIO2_LO)));
  const sp = sinPoly2(rr), cp = cosPoly2(rr);
  const q1 = f64x2.eq(q, f64x2.splat(1.0)), q2 = f64x2.eq(q, f64x2.splat(2.0)), q3 = f64x2.eq(q, f64x2.splat(3.0));
  const odd = v128.or(q1, q3);
  const sb = v128.bitselect(cp, sp, odd), cb = v128.bitselect(sp, cp, odd);
  const sin = v128.bitselect(f64x2.neg(sb), sb, v128.or(q2, q3));
  const cos = v128.bitselect(f64x2.neg(cb), cb, v128.or(q1, q2));
  v128.store(out, f64x2.mul(r, cos));
  v128.store(out, f64x2.mul(r, sin), 16);
}

/**
 * Noise block `block` (normals 4·block … 4·block + 3) of the four noise vectors whose indices
 * are the i32x4 lanes of `members`: normal j of lane l goes to out + 32·l + 8·j (f64), equal to
 * noiseVector(seed, generation, member_l)[4·block + j]. Uses out[0, 128) as scratch.
 */
export function gaussian4x4(seed: u32, generation: u32, members: v128, block: u32, out: usize): void {
  let c0 = i32x4.splat(block), c1 = members, c2 = i32x4.splat(generation), c3 = i32x4.splat(0);
  const m0 = i32x4.splat(0xD2511F53), m1 = i32x4.splat(0xCD9E8D57);
  let k0 = seed, k1 = STREAM_NOISE;
  for (let r = 0; r < 10; r++) {
    const p0l = i64x2.extmul_low_i32x4_u(c0, m0), p0h = i64x2.extmul_high_i32x4_u(c0, m0);
    const p1l = i64x2.extmul_low_i32x4_u(c2, m1), p1h = i64x2.extmul_high_i32x4_u(c2, m1);
    const h0 = v128.shuffle<i32>(p0l, p0h, 1, 3, 5, 7), l0 = v128.shuffle<i32>(p0l, p0h, 0, 2, 4, 6);
    const h1 = v128.shuffle<i32>(p1l, p1h, 1, 3, 5, 7), l1 = v128.shuffle<i32>(p1l, p1h, 0, 2, 4, 6);
    c0 = v128.xor(v128.xor(h1, c1), i32x4.splat(k0));
    c1 = l1;
    c2 = v128.xor(v128.xor(h0, c3), i32x4.splat(k1));
    c3 = l0;
    k0 += 0x9E3779B9;
    k1 += 0xBB67AE85;
  }
  // Lanes 0, 1 (members 0, 1), then lanes 2, 3 moved down (members 2, 3).
  const c0h = v128.shuffle<i32>(c0, c0, 2, 3, 0, 1), c1h = v128.shuffle<i32>(c1, c1, 2, 3, 0, 1);
  const c2h = v128.shuffle<i32>(c2, c2, 2, 3, 0, 1), c3h = v128.shuffle<i32>(c3, c3, 2, 3, 0, 1);
  boxMuller2(c0, c1, out);        // g0, g1 of members 0, 1 → out, out+16
  boxMuller2(c2, c3, out + 32);   // g2, g3 of members 0, 1
  boxMuller2(c0h, c1h, out + 64); // g0, g1 of members 2, 3
  boxMuller2(c2h, c3h, out + 96); // g2, g3 of members 2, 3
  // Transpose to member-major: member l's [g0 g1 g2 g3] at out + 32·l.
  const a0 = v128.load(out), a1 = v128.load(out, 16), a2 = v128.load(out, 32), a3 = v128.load(out, 48);
  const b0 = v128.load(out, 64), b1 = v128.load(out, 80), b2 = v128.load(out, 96), b3 = v128.load(out, 112);
  v128.store(out, v128.shuffle<f64>(a0, a1, 0, 2));      // member 0: g0 g1
  v128.store(out, v128.shuffle<f64>(a2, a3, 0, 2), 16);  //           g2 g3
  v128.store(out, v128.shuffle<f64>(a0, a1, 1, 3), 32);  // member 1
  v128.store(out, v128.shuffle<f64>(a2, a3, 1, 3), 48);
  v128.store(out, v128.shuffle<f64>(b0, b1, 0, 2), 64);  // member 2
  v128.store(out, v128.shuffle<f64>(b2, b3, 0, 2), 80);
  v128.store(out, v128.shuffle<f64>(b0, b1, 1, 3), 96);  // member 3
  v128.store(out, v128.shuffle<f64>(b2, b3, 1, 3), 112);
}
