// Integer LIF / IF / LI membrane update in Q-format int16, 16 neurons per iteration.
//
//   u = leak(v) ⊕ cur ⊕ leakBias            (⊕: saturating int16 add, in this order)
//       leak(v) = q15mulr_sat(v, decay)     LEAK_MULTIPLY (decay in Q15)
//               = v ⊖ (v >> shiftK)         LEAK_SHIFT
//               = v                         LEAK_NONE (IF)
//   fire = u > th                           strict, as snnTorch, Norse and Spyx use
//   v' = fire ? (u ⊖ (th ⊖ vr))  : u        RESET_SUBTRACT
//   v' = fire ? vr : u                      RESET_ZERO
//   RESET_NONE (LI): never fires, v' = u.
// Refractory (refr != 0, an int16 counter per neuron): while the counter is > 0 the neuron
// does not fire, its membrane is held at vr and the counter counts down; a spike sets it to
// refractorySteps.
// Saturating, never wrapping: the DESIGN.md numeric contract. q15mulr_sat_s is the exactly
// specified SIMD op (the relaxed variant's min×min result is implementation-defined).
//
// Layout: state v, cur, refr are [batch, n] int16; per-neuron params decay, leak, th, vr are
// [n] int16 shared by every batch row; spikes spk are [batch, n] bytes (0 or 1).
// Padding: n is a multiple of 16 (the host pads layers); nothing is read past n.
// Returns the number of spikes written (all rows).
import { LEAK_MULTIPLY, LEAK_SHIFT, RESET_SUBTRACT, RESET_NONE } from './modes';

// @ts-ignore: decorator
@inline function update8(vv: v128, cc: v128, dd: v128, ll: v128, leakMode: i32, shiftK: i32): v128 {
  let u = vv;
  if (leakMode == LEAK_MULTIPLY) u = i16x8.q15mulr_sat_s(vv, dd);
  else if (leakMode == LEAK_SHIFT) u = i16x8.sub_sat_s(vv, i16x8.shr_s(vv, shiftK));
  return i16x8.add_sat_s(i16x8.add_sat_s(u, cc), ll);
}

// @ts-ignore: decorator
@inline function reset8(u: v128, m: v128, t: v128, r: v128, resetMode: i32): v128 {
  const after = resetMode == RESET_SUBTRACT ? i16x8.sub_sat_s(u, i16x8.sub_sat_s(t, r)) : r;
  return v128.bitselect(after, u, m);
}

export function lif_i16_simd(v: usize, cur: usize, decay: usize, leak: usize, th: usize, vr: usize,
                             spk: usize, refr: usize, n: i32, batch: i32,
                             leakMode: i32, shiftK: i32, resetMode: i32, refractorySteps: i32): i32 {
  let count = 0;
  const one = i16x8.splat(1);
  const refrSet = i16x8.splat(<i16>refractorySteps);
  const zero = i16x8.splat(0);
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * n);
    for (let i = 0; i < n; i += 16) {
      const p = <usize>i << 1;          // byte offset into per-neuron params
      const s = (row + <usize>i) << 1;  // byte offset into [batch, n] int16 state
      const t0 = v128.load(th + p), t1 = v128.load(th + p, 16);
      const r0 = v128.load(vr + p), r1 = v128.load(vr + p, 16);
      let u0 = update8(v128.load(v + s), v128.load(cur + s), v128.load(decay + p), v128.load(leak + p), leakMode, shiftK);
      let u1 = update8(v128.load(v + s, 16), v128.load(cur + s, 16), v128.load(decay + p, 16), v128.load(leak + p, 16), leakMode, shiftK);
      let m0 = zero, m1 = zero;
      if (resetMode != RESET_NONE) {
        m0 = i16x8.gt_s(u0, t0);
        m1 = i16x8.gt_s(u1, t1);
      }
      if (refr != 0) {
        const c0 = v128.load(refr + s), c1 = v128.load(refr + s, 16);
        const h0 = i16x8.gt_s(c0, zero), h1 = i16x8.gt_s(c1, zero);
        m0 = v128.andnot(m0, h0);
        m1 = v128.andnot(m1, h1);
        // counter' = fire ? refractorySteps : max(counter − 1, 0)
        v128.store(refr + s, v128.bitselect(refrSet, i16x8.sub_sat_u(c0, one), m0));
        v128.store(refr + s, v128.bitselect(refrSet, i16x8.sub_sat_u(c1, one), m1), 16);
        u0 = v128.bitselect(r0, u0, h0);
        u1 = v128.bitselect(r1, u1, h1);
      }
      v128.store(v + s, reset8(u0, m0, t0, r0, resetMode));
      v128.store(v + s, reset8(u1, m1, t1, r1, resetMode), 16);
      const m8 = i8x16.narrow_i16x8_s(m0, m1);     // 0 / −1 per neuron
      v128.store(spk + row + <usize>i, v128.and(m8, i8x16.splat(1)));
      count += popcnt<i32>(i8x16.bitmask(m8));
    }
  }
  return count;
}
