// Float twins of the integer cells: one forward-Euler step of NIR's neuron ODEs, with the
// per-neuron constants precomputed by the host (src/runtime/cells.ts):
//   u = (v·alpha + cur·beta) + gamma     alpha = 1 − dt/τ, beta = dt·r/τ, gamma = dt·v_leak/τ
//                                        (IF: alpha = 1, beta = dt·r, gamma = 0)
//   fire = u > th;  v' = fire ? u − (th − vr) : u   (RESET_SUBTRACT)   or vr (RESET_ZERO)
//   RESET_NONE (LI): never fires.
// Refractory as in lif_i16_simd (int16 counters [batch, n], membrane held at vr).
// The evaluation order above is fixed, so the SIMD kernel and its scalar twin agree bit for bit
// (wasm f32 arithmetic is IEEE single precision with no fused operations).
// Layout: v, cur [batch, n] f32; alpha, beta, gamma, th, vr [n] f32; spk [batch, n] bytes;
// n a multiple of 16; nothing read past n. Returns the number of spikes.
import { RESET_SUBTRACT, RESET_NONE } from './modes';

export function syn_f32_simd(syn: usize, cur: usize, alpha: usize, beta: usize, n: i32, batch: i32): void {
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * n) << 2;
    for (let i = 0; i < n; i += 4) {
      const p = <usize>i << 2;
      const s = row + p;
      v128.store(syn + s, f32x4.add(f32x4.mul(v128.load(syn + s), v128.load(alpha + p)),
                                    f32x4.mul(v128.load(cur + s), v128.load(beta + p))));
    }
  }
}

export function syn_f32_ref(syn: usize, cur: usize, alpha: usize, beta: usize, n: i32, batch: i32): void {
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      const k = <usize>(b * n + i) << 2;
      const p = <usize>i << 2;
      store<f32>(syn + k, load<f32>(syn + k) * load<f32>(alpha + p) + load<f32>(cur + k) * load<f32>(beta + p));
    }
  }
}

// @ts-ignore: decorator
@inline function cell4(v: usize, cur: usize, alpha: usize, beta: usize, gamma: usize, th: usize, vr: usize,
                       s: usize, p: usize, hold: v128, resetMode: i32): v128 {
  let u = f32x4.add(f32x4.add(f32x4.mul(v128.load(v + s), v128.load(alpha + p)),
                              f32x4.mul(v128.load(cur + s), v128.load(beta + p))), v128.load(gamma + p));
  const t = v128.load(th + p), r = v128.load(vr + p);
  let m = resetMode == RESET_NONE ? i32x4.splat(0) : f32x4.gt(u, t);
  m = v128.andnot(m, hold);
  u = v128.bitselect(r, u, hold);
  const after = resetMode == RESET_SUBTRACT ? f32x4.sub(u, f32x4.sub(t, r)) : r;
  v128.store(v + s, v128.bitselect(after, u, m));
  return m;
}

export function lif_f32_simd(v: usize, cur: usize, alpha: usize, beta: usize, gamma: usize, th: usize,
                             vr: usize, spk: usize, refr: usize, n: i32, batch: i32,
                             resetMode: i32, refractorySteps: i32): i32 {
  let count = 0;
  const zero = i32x4.splat(0);
  const one = i16x8.splat(1);
  const refrSet = i16x8.splat(<i16>refractorySteps);
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * n);
    for (let i = 0; i < n; i += 16) {
      const p = <usize>i << 2;
      const s = (row + <usize>i) << 2;
      let h0 = zero, h1 = zero, h2 = zero, h3 = zero, c0 = zero, c1 = zero;
      if (refr != 0) {
        const rs = (row + <usize>i) << 1;
        c0 = v128.load(refr + rs);
        c1 = v128.load(refr + rs, 16);
        const g0 = i16x8.gt_s(c0, zero), g1 = i16x8.gt_s(c1, zero);
        h0 = i32x4.extend_low_i16x8_s(g0);
        h1 = i32x4.extend_high_i16x8_s(g0);
        h2 = i32x4.extend_low_i16x8_s(g1);
        h3 = i32x4.extend_high_i16x8_s(g1);
      }
      const m0 = cell4(v, cur, alpha, beta, gamma, th, vr, s, p, h0, resetMode);
      const m1 = cell4(v, cur, alpha, beta, gamma, th, vr, s + 16, p + 16, h1, resetMode);
      const m2 = cell4(v, cur, alpha, beta, gamma, th, vr, s + 32, p + 32, h2, resetMode);
      const m3 = cell4(v, cur, alpha, beta, gamma, th, vr, s + 48, p + 48, h3, resetMode);
      const ma = i16x8.narrow_i32x4_s(m0, m1), mb = i16x8.narrow_i32x4_s(m2, m3);
      if (refr != 0) {
        const rs = (row + <usize>i) << 1;
        v128.store(refr + rs, v128.bitselect(refrSet, i16x8.sub_sat_u(c0, one), ma));
        v128.store(refr + rs, v128.bitselect(refrSet, i16x8.sub_sat_u(c1, one), mb), 16);
      }
      const m8 = i8x16.narrow_i16x8_s(ma, mb);
      v128.store(spk + row + <usize>i, v128.and(m8, i8x16.splat(1)));
      count += popcnt<i32>(i8x16.bitmask(m8));
    }
  }
  return count;
}

export function lif_f32_ref(v: usize, cur: usize, alpha: usize, beta: usize, gamma: usize, th: usize,
                            vr: usize, spk: usize, refr: usize, n: i32, batch: i32,
                            resetMode: i32, refractorySteps: i32): i32 {
  let count = 0;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      const k = <usize>(b * n + i);
      const p = <usize>i << 2;
      let u = load<f32>(v + (k << 2)) * load<f32>(alpha + p) + load<f32>(cur + (k << 2)) * load<f32>(beta + p)
              + load<f32>(gamma + p);
      const t = load<f32>(th + p), r = load<f32>(vr + p);
      let fire = resetMode != RESET_NONE && u > t;
      if (refr != 0) {
        const c = <i32>load<i16>(refr + (k << 1));
        if (c > 0) {
          fire = false;
          u = r;
          store<i16>(refr + (k << 1), <i16>(c - 1));
        } else if (fire) {
          store<i16>(refr + (k << 1), <i16>refractorySteps);
        }
      }
      if (fire) {
        u = resetMode == RESET_SUBTRACT ? u - (t - r) : r;
        count++;
      }
      store<f32>(v + (k << 2), u);
      store<u8>(spk + k, fire ? 1 : 0);
    }
  }
  return count;
}
