// Training cells: one time step of the forward pass with its tape, and one step of the
// backward pass through time, for LIF, IF, CuBaLIF, ALIF and the LI readout, in the three spike
// orders (docs/training.md §Cells has every equation; src/train/reference.ts is the f64 twin).
//
// Discrete-time parameters (the host maps them to NIR's τ, r at export): per-neuron decay β
// (IF: β = 1), synaptic decay β_syn (CuBaLIF), threshold θ, adaptation κ, ρ (ALIF:
// b[t] = ρ·b[t−1] + s[t−1], θ̃[t] = θ + κ·b[t]). Inputs are currents already summed by the
// synapse kernels; CuBaLIF first filters them: i[t] = β_syn·i[t−1] + cur[t].
//
//   SPIKELET (= Norse; deployment Plan):  a = β·c + I;  s = H(a − θ̃);  c = a − θ̃·s | a·(1 − s)
//   SNNTORCH (reset a step later, undecayed):
//                                          a = β·c + I − θ̃[t−1]·s[t−1] | β·c·(1 − s[t−1]) + I;
//                                          s = H(a − θ̃);  c = a
//   SPYX (fire before the update):         s = H(c − θ̃);  a = β·c + I − θ̃·s | β·c·(1 − s) + I;  c = a
//   LI: a = β·c + I, c = a, no spike.
// The reset term is detached from the gradient unless cfg.keepResetGrad = 1 (the (1 − s) gate of
// a zero reset always passes gradient to the membrane; only ∂/∂s of the reset is detached).
//
// Tape per step: vf = the value the threshold sees (a, or c[t−1] in SPYX; LI: a), cp = c[t−1],
// s (f32 0/1), and b[t] for ALIF. Layout: every state/tape array [batch, nP] f32, parameters [nP];
// nP a multiple of 4. Padding neurons carry β = 0 and zero weights, so they stay at 0.
//
// cfg (i32/f32 words): 0 kind, 1 order, 2 reset, 3 keepResetGrad, 4 surrogate kind, 5 p1,
// 6 p2, 7 κ, 8 ρ, 9 lut pointer, 10 lut points, 11 lut lo, 12 lut hi.
import { tr_pack4 } from './pack';
import { surrogate_f32, SG_ARCTAN, SG_SUPERSPIKE, SG_TRIANGLE, SG_BOXCAR, SG_STRAIGHT } from './surrogate';

const HALF_PI_F32: f32 = 1.5707963267948966; // as surrogate.ts rounds it

export const CELL_LIF: i32 = 0;
export const CELL_IF: i32 = 1;
export const CELL_CUBALIF: i32 = 2;
export const CELL_ALIF: i32 = 3;
export const CELL_LI: i32 = 4;
export const ORDER_SPIKELET: i32 = 0;
export const ORDER_SNNTORCH: i32 = 1;
export const ORDER_SPYX: i32 = 2;
export const TR_RESET_SUBTRACT: i32 = 0;
export const TR_RESET_ZERO: i32 = 1;

/**
 * One forward step for the whole batch. c, isyn (CuBaLIF), bad (ALIF) are the carried states
 * (updated in place); sPrev are the spikes of step t−1 (zeros at t = 0); sOut, vf, cp, bTape
 * (ALIF) receive this step's tape; acc (optional, 0 = none) accumulates s (spiking) or a (LI).
 * Returns the number of spikes.
 */
export function tr_cell_fwd_f32(cfg: usize, cur: usize, c: usize, isyn: usize, bad: usize, sPrev: usize,
                                sOut: usize, vf: usize, cp: usize, bTape: usize, acc: usize,
                                beta: usize, betaSyn: usize, theta: usize, nP: i32, batch: i32): i32 {
  const kind = load<i32>(cfg), order = load<i32>(cfg, 4), reset = load<i32>(cfg, 8);
  const kappa = load<f32>(cfg, 28), rho = load<f32>(cfg, 32);
  let count = 0;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < nP; j++) {
      const k = <usize>(b * nP + j) << 2;
      const p = <usize>j << 2;
      const bt = load<f32>(beta + p);
      let I = load<f32>(cur + k);
      if (kind == CELL_CUBALIF) {
        I = load<f32>(betaSyn + p) * load<f32>(isyn + k) + I;
        store<f32>(isyn + k, I);
      }
      const cOld = load<f32>(c + k);
      store<f32>(cp + k, cOld);
      if (kind == CELL_LI) {
        const a = bt * cOld + I;
        store<f32>(c + k, a);
        store<f32>(vf + k, a);
        store<f32>(sOut + k, 0);
        if (acc != 0) store<f32>(acc + k, load<f32>(acc + k) + a);
        continue;
      }
      const th = load<f32>(theta + p);
      const sp = load<f32>(sPrev + k);
      let thPrev = th, thNow = th;
      if (kind == CELL_ALIF) {
        const bo = load<f32>(bad + k);
        thPrev = th + kappa * bo;
        const bn = rho * bo + sp;
        store<f32>(bad + k, bn);
        store<f32>(bTape + k, bn);
        thNow = th + kappa * bn;
      }
      let a: f32, s: f32, cNew: f32;
      if (order == ORDER_SPIKELET) {
        a = bt * cOld + I;
        s = a - thNow > 0 ? 1 : 0;
        cNew = reset == TR_RESET_SUBTRACT ? a - thNow * s : a * (1 - s);
        store<f32>(vf + k, a);
      } else if (order == ORDER_SNNTORCH) {
        a = reset == TR_RESET_SUBTRACT ? bt * cOld + I - thPrev * sp : bt * cOld * (1 - sp) + I;
        s = a - thNow > 0 ? 1 : 0;
        cNew = a;
        store<f32>(vf + k, a);
      } else {
        s = cOld - thNow > 0 ? 1 : 0;
        a = reset == TR_RESET_SUBTRACT ? bt * cOld + I - thNow * s : bt * cOld * (1 - s) + I;
        cNew = a;
        store<f32>(vf + k, cOld);
      }
      store<f32>(c + k, cNew);
      store<f32>(sOut + k, s);
      if (acc != 0) store<f32>(acc + k, load<f32>(acc + k) + s);
      count += <i32>s;
    }
  }
  return count;
}

/**
 * One backward step (t from T−1 down to 0) for the whole batch.
 * gS: ∂L/∂s[t] from the layers above and the recurrent synapse into t+1 (0 = none); gExt: the
 * loss gradient on s[t] (on a[t] for LI; 0 = none); gReg [nP]: per-neuron regulariser gradient
 * on s (0 = none). G carries ∂L/∂a[t+1] (SPIKELET, SNNTORCH, LI) or ∂L/∂c[t] (SPYX), Gi the
 * CuBaLIF ∂L/∂i[t+1], Gb the ALIF ∂L/∂b[t+1]; all zero before t = T−1 and updated in place.
 * Tape of step t: vf, cp, s, bTape (ALIF); sPrev = s[t−1] (zeros at t = 0).
 * Writes gcur = ∂L/∂cur[t] and accumulates Σ_b of it into gBias (0 = none), and the per-neuron
 * gradients of β and θ into gBeta, gTheta (0 = not learnable).
 */
export function tr_cell_bwd_f32(cfg: usize, gS: usize, gExt: usize, gReg: usize, G: usize, Gi: usize, Gb: usize,
                                vf: usize, cp: usize, s: usize, sPrev: usize, bTape: usize, gcur: usize,
                                gBias: usize, gBeta: usize, gTheta: usize, beta: usize, betaSyn: usize, theta: usize,
                                nP: i32, batch: i32): void {
  const kind = load<i32>(cfg), order = load<i32>(cfg, 4), reset = load<i32>(cfg, 8);
  const kr: f32 = load<i32>(cfg, 12) != 0 ? 1 : 0;
  const sgKind = load<i32>(cfg, 16);
  const p1 = load<f32>(cfg, 20), p2 = load<f32>(cfg, 24), kappa = load<f32>(cfg, 28), rho = load<f32>(cfg, 32);
  const lut = <usize>load<i32>(cfg, 36), lutN = load<i32>(cfg, 40);
  const lo = load<f32>(cfg, 44), hi = load<f32>(cfg, 48);
  const sub = reset == TR_RESET_SUBTRACT;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < nP; j++) {
      const k = <usize>(b * nP + j) << 2;
      const p = <usize>j << 2;
      const bt = load<f32>(beta + p);
      const Gn = load<f32>(G + k);
      let gs: f32 = 0;
      if (gS != 0) gs = load<f32>(gS + k);
      if (gExt != 0) gs += load<f32>(gExt + k);
      let ga: f32, gBt: f32 = 0, gTh: f32 = 0;
      const cOld = load<f32>(cp + k);
      if (kind == CELL_LI) {
        ga = bt * Gn + gs;
        store<f32>(G + k, ga);
        gBt = ga * cOld;
      } else {
        if (gReg != 0) gs += load<f32>(gReg + p);
        const st = load<f32>(s + k);
        const v = load<f32>(vf + k);
        let th = load<f32>(theta + p);
        let GbOld: f32 = 0;
        if (kind == CELL_ALIF) {
          GbOld = load<f32>(Gb + k);
          gs += GbOld;
          th += kappa * load<f32>(bTape + k);
        }
        const sg = surrogate_f32(sgKind, v - th, p1, p2, lut, lutN, lo, hi);
        let gz: f32, thReset: f32 = 0;
        if (order == ORDER_SPIKELET) {
          const gc = bt * Gn;
          let dcda: f32 = 1;
          if (sub) {
            gs -= kr * gc * th;
            thReset = -kr * gc * st;
          } else {
            gs -= kr * gc * v;
            dcda = 1 - st;
          }
          gz = gs * sg;
          ga = gc * dcda + gz;
          gBt = ga * cOld;
          store<f32>(G + k, ga);
        } else if (order == ORDER_SNNTORCH) {
          let gc: f32;
          if (sub) {
            gc = bt * Gn;
            gs -= kr * Gn * th;
            thReset = -kr * Gn * st;
          } else {
            gc = bt * (1 - st) * Gn;
            gs -= kr * Gn * bt * v;
          }
          gz = gs * sg;
          ga = gc + gz;
          const sp = load<f32>(sPrev + k);
          gBt = sub ? ga * cOld : ga * cOld * (1 - sp);
          store<f32>(G + k, ga);
        } else {
          ga = Gn;
          if (sub) {
            gs -= kr * ga * th;
            thReset = -kr * ga * st;
          } else {
            gs -= kr * ga * bt * cOld;
          }
          gz = gs * sg;
          const gate: f32 = sub ? 1 : 1 - st;
          gBt = ga * cOld * gate;
          store<f32>(G + k, gz + ga * bt * gate);
        }
        gTh = thReset - gz;
        if (kind == CELL_ALIF) store<f32>(Gb + k, kappa * gTh + rho * GbOld);
      }
      let gI = ga;
      if (kind == CELL_CUBALIF) {
        gI = ga + load<f32>(betaSyn + p) * load<f32>(Gi + k);
        store<f32>(Gi + k, gI);
      }
      store<f32>(gcur + k, gI);
      if (gBias != 0) store<f32>(gBias + p, load<f32>(gBias + p) + gI);
      if (gBeta != 0) store<f32>(gBeta + p, load<f32>(gBeta + p) + gBt);
      if (gTheta != 0) store<f32>(gTheta + p, load<f32>(gTheta + p) + gTh);
    }
  }
}

// ---- SIMD paths (4 neurons per v128) for the common cells ----
// tr_cell_fwd_f32_simd / tr_cell_bwd_f32_simd cover LIF, IF, CuBaLIF and the LI readout in every
// spike order and reset, with the arctan, superspike, triangle, boxcar and straight-through
// surrogates (tr_cell_simd_ok says which); ALIF and the sigmoid, tanh and tabulated surrogates
// stay on the scalar kernels above. Every lane performs the scalar kernel's f32 operations in the
// same order (wasm has no implicit FMA), so the two paths agree bit for bit (test/train-kernels).

/** 1 if the SIMD cell kernels handle this cfg (cell kind and surrogate), else 0. */
export function tr_cell_simd_ok(cfg: usize): i32 {
  const kind = load<i32>(cfg), sg = load<i32>(cfg, 16);
  if (kind == CELL_ALIF) return 0;
  if (kind == CELL_LI) return 1;
  return sg == SG_ARCTAN || sg == SG_SUPERSPIKE || sg == SG_TRIANGLE || sg == SG_BOXCAR || sg == SG_STRAIGHT ? 1 : 0;
}

/** σ′(z) of 4 lanes; the lane-wise twin of surrogate_f32 (same operation order). */
// @ts-ignore: decorator
@inline function surrogate_f32x4(kind: i32, z: v128, c1: v128, c2: v128, p1: v128, p2: v128): v128 {
  const one = f32x4.splat(1);
  if (kind == SG_ARCTAN) {           // c1 = π/2·α, c2 = α·0.5
    const a = f32x4.mul(c1, z);
    return f32x4.div(c2, f32x4.add(one, f32x4.mul(a, a)));
  } else if (kind == SG_SUPERSPIKE) {
    const d = f32x4.add(one, f32x4.mul(p1, f32x4.abs(z)));
    return f32x4.div(one, f32x4.mul(d, d));
  } else if (kind == SG_TRIANGLE) {
    const r = f32x4.sub(one, f32x4.div(f32x4.abs(z), p1));
    return v128.and(f32x4.gt(r, f32x4.splat(0)), f32x4.mul(p2, r));
  } else if (kind == SG_BOXCAR) {
    return v128.and(f32x4.lt(f32x4.abs(z), p1), p2);
  }
  return p1; // SG_STRAIGHT
}

/**
 * tr_cell_fwd_f32 for the cells tr_cell_simd_ok accepts, 4 neurons per v128 (nP a multiple of 4),
 * same arguments and results. With sIdx != 0 it also writes the spike lists of this step (row b:
 * indices of the neurons that fired, increasing; sCnt[b] their number), as tr_compact_rows_f32
 * would from sOut, saving a second pass over the spikes.
 */
export function tr_cell_fwd_f32_simd(cfg: usize, cur: usize, c: usize, isyn: usize, sPrev: usize,
                                     sOut: usize, vf: usize, cp: usize, acc: usize, sIdx: usize, sCnt: usize,
                                     beta: usize, betaSyn: usize, theta: usize, nP: i32, batch: i32): i32 {
  const kind = load<i32>(cfg), order = load<i32>(cfg, 4), sub = load<i32>(cfg, 8) == TR_RESET_SUBTRACT;
  const cuba = kind == CELL_CUBALIF;
  const zero = f32x4.splat(0), one = f32x4.splat(1), iota = i32x4(0, 1, 2, 3);
  const rowBytes = <usize>nP << 2;
  let count = 0;
  if (kind == CELL_LI) {
    for (let b = 0; b < batch; b++) {
      const r = <usize>b * rowBytes;
      for (let j = 0; j < nP; j += 4) {
        const p = <usize>j << 2, k = r + p;
        const cOld = v128.load(c + k);
        v128.store(cp + k, cOld);
        const a = f32x4.add(f32x4.mul(v128.load(beta + p), cOld), v128.load(cur + k));
        v128.store(c + k, a);
        v128.store(vf + k, a);
        v128.store(sOut + k, zero);
        if (acc != 0) v128.store(acc + k, f32x4.add(v128.load(acc + k), a));
      }
      if (sIdx != 0) store<i32>(sCnt + (<usize>b << 2), 0);
    }
    return 0;
  }
  for (let b = 0; b < batch; b++) {
    const r = <usize>b * rowBytes;
    const out = sIdx + r;
    let n = 0;
    for (let j = 0; j < nP; j += 4) {
      const p = <usize>j << 2, k = r + p;
      const bt = v128.load(beta + p), th = v128.load(theta + p);
      let I = v128.load(cur + k);
      if (cuba) {
        I = f32x4.add(f32x4.mul(v128.load(betaSyn + p), v128.load(isyn + k)), I);
        v128.store(isyn + k, I);
      }
      const cOld = v128.load(c + k);
      v128.store(cp + k, cOld);
      let a: v128, m: v128, s: v128, cNew: v128;
      if (order == ORDER_SPIKELET) {
        a = f32x4.add(f32x4.mul(bt, cOld), I);
        m = f32x4.gt(f32x4.sub(a, th), zero);
        s = v128.and(m, one);
        cNew = sub ? f32x4.sub(a, f32x4.mul(th, s)) : f32x4.mul(a, f32x4.sub(one, s));
        v128.store(vf + k, a);
      } else if (order == ORDER_SNNTORCH) {
        const sp = v128.load(sPrev + k);
        a = sub ? f32x4.sub(f32x4.add(f32x4.mul(bt, cOld), I), f32x4.mul(th, sp))
                : f32x4.add(f32x4.mul(f32x4.mul(bt, cOld), f32x4.sub(one, sp)), I);
        m = f32x4.gt(f32x4.sub(a, th), zero);
        s = v128.and(m, one);
        cNew = a;
        v128.store(vf + k, a);
      } else {
        m = f32x4.gt(f32x4.sub(cOld, th), zero);
        s = v128.and(m, one);
        a = sub ? f32x4.sub(f32x4.add(f32x4.mul(bt, cOld), I), f32x4.mul(th, s))
                : f32x4.add(f32x4.mul(f32x4.mul(bt, cOld), f32x4.sub(one, s)), I);
        cNew = a;
        v128.store(vf + k, cOld);
      }
      v128.store(c + k, cNew);
      v128.store(sOut + k, s);
      if (acc != 0) v128.store(acc + k, f32x4.add(v128.load(acc + k), s));
      const bits = i32x4.bitmask(m);
      if (sIdx != 0) n = tr_pack4(out, n, i32x4.add(i32x4.splat(j), iota), bits);
      else n += popcnt(bits);
    }
    if (sIdx != 0) store<i32>(sCnt + (<usize>b << 2), n);
    count += n;
  }
  return count;
}

/**
 * tr_cell_bwd_f32 for the cells tr_cell_simd_ok accepts, 4 neurons per v128 (nP a multiple of 4),
 * same arguments (no ALIF state) and results.
 */
export function tr_cell_bwd_f32_simd(cfg: usize, gS: usize, gExt: usize, gReg: usize, G: usize, Gi: usize,
                                     vf: usize, cp: usize, s: usize, sPrev: usize, gcur: usize,
                                     gBias: usize, gBeta: usize, gTheta: usize, beta: usize, betaSyn: usize, theta: usize,
                                     nP: i32, batch: i32): void {
  const kind = load<i32>(cfg), order = load<i32>(cfg, 4), sub = load<i32>(cfg, 8) == TR_RESET_SUBTRACT;
  const krs: f32 = load<i32>(cfg, 12) != 0 ? 1 : 0;
  const sgKind = load<i32>(cfg, 16);
  const p1s = load<f32>(cfg, 20), p2s = load<f32>(cfg, 24);
  const kr = f32x4.splat(krs), nkr = f32x4.splat(-krs);
  const p1 = f32x4.splat(p1s), p2 = f32x4.splat(p2s);
  const c1 = f32x4.splat(HALF_PI_F32 * p1s), c2 = f32x4.splat(p1s * 0.5);
  const cuba = kind == CELL_CUBALIF, li = kind == CELL_LI;
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  const rowBytes = <usize>nP << 2;
  for (let b = 0; b < batch; b++) {
    const r = <usize>b * rowBytes;
    for (let j = 0; j < nP; j += 4) {
      const p = <usize>j << 2, k = r + p;
      const bt = v128.load(beta + p);
      const Gn = v128.load(G + k);
      let gs = gS != 0 ? v128.load(gS + k) : zero;
      if (gExt != 0) gs = f32x4.add(gs, v128.load(gExt + k));
      const cOld = v128.load(cp + k);
      let ga: v128, gBt: v128, gTh = zero;
      if (li) {
        ga = f32x4.add(f32x4.mul(bt, Gn), gs);
        v128.store(G + k, ga);
        gBt = f32x4.mul(ga, cOld);
      } else {
        if (gReg != 0) gs = f32x4.add(gs, v128.load(gReg + p));
        const st = v128.load(s + k);
        const v = v128.load(vf + k);
        const th = v128.load(theta + p);
        const sg = surrogate_f32x4(sgKind, f32x4.sub(v, th), c1, c2, p1, p2);
        let gz: v128, thReset = zero;
        if (order == ORDER_SPIKELET) {
          const gc = f32x4.mul(bt, Gn);
          if (sub) {
            gs = f32x4.sub(gs, f32x4.mul(f32x4.mul(kr, gc), th));
            thReset = f32x4.mul(f32x4.mul(nkr, gc), st);
            gz = f32x4.mul(gs, sg);
            ga = f32x4.add(gc, gz);                       // ∂c/∂a = 1: gc·1 is gc exactly
          } else {
            gs = f32x4.sub(gs, f32x4.mul(f32x4.mul(kr, gc), v));
            gz = f32x4.mul(gs, sg);
            ga = f32x4.add(f32x4.mul(gc, f32x4.sub(one, st)), gz);
          }
          gBt = f32x4.mul(ga, cOld);
          v128.store(G + k, ga);
        } else if (order == ORDER_SNNTORCH) {
          let gc: v128;
          if (sub) {
            gc = f32x4.mul(bt, Gn);
            gs = f32x4.sub(gs, f32x4.mul(f32x4.mul(kr, Gn), th));
            thReset = f32x4.mul(f32x4.mul(nkr, Gn), st);
          } else {
            gc = f32x4.mul(f32x4.mul(bt, f32x4.sub(one, st)), Gn);
            gs = f32x4.sub(gs, f32x4.mul(f32x4.mul(f32x4.mul(kr, Gn), bt), v));
          }
          gz = f32x4.mul(gs, sg);
          ga = f32x4.add(gc, gz);
          gBt = sub ? f32x4.mul(ga, cOld) : f32x4.mul(f32x4.mul(ga, cOld), f32x4.sub(one, v128.load(sPrev + k)));
          v128.store(G + k, ga);
        } else {
          ga = Gn;
          if (sub) {
            gs = f32x4.sub(gs, f32x4.mul(f32x4.mul(kr, ga), th));
            thReset = f32x4.mul(f32x4.mul(nkr, ga), st);
            gz = f32x4.mul(gs, sg);
            gBt = f32x4.mul(ga, cOld);                    // gate = 1
            v128.store(G + k, f32x4.add(gz, f32x4.mul(ga, bt)));
          } else {
            gs = f32x4.sub(gs, f32x4.mul(f32x4.mul(f32x4.mul(kr, ga), bt), cOld));
            gz = f32x4.mul(gs, sg);
            const gate = f32x4.sub(one, st);
            gBt = f32x4.mul(f32x4.mul(ga, cOld), gate);
            v128.store(G + k, f32x4.add(gz, f32x4.mul(f32x4.mul(ga, bt), gate)));
          }
        }
        gTh = f32x4.sub(thReset, gz);
      }
      let gI = ga;
      if (cuba) {
        gI = f32x4.add(ga, f32x4.mul(v128.load(betaSyn + p), v128.load(Gi + k)));
        v128.store(Gi + k, gI);
      }
      v128.store(gcur + k, gI);
      if (gBias != 0) v128.store(gBias + p, f32x4.add(v128.load(gBias + p), gI));
      if (gBeta != 0) v128.store(gBeta + p, f32x4.add(v128.load(gBeta + p), gBt));
      if (gTheta != 0) v128.store(gTheta + p, f32x4.add(v128.load(gTheta + p), gTh));
    }
  }
}
