// ES fitness evaluation: a whole slice of a population × episodes of rollouts in one call.
//
// Policy (f32): obs → Linear(in→H) → LIF(H) → Linear(H→out) → LI(out), one network step per
// environment step, the cell updates exactly as lif_f32 (u = (v·α + cur·β) + γ; fire = u > th;
// subtract reset; LI never fires). Parameters, flattened in NetworkSpec order:
//   W1 [H, in] row-major, b1 [H], W2 [out, H], b2 [out]      (D = H·in + H + out·H + out).
// Vectorisation: four population members per v128, one per f32x4 lane ("member-major lanes").
// Every member has its own weights, so a per-member mat-vec of in = 4 would leave most lanes
// idle; across members each weight load serves 4 members and no lane ever talks to another,
// so a member's result does not depend on its lane or on who shares its group (which is what
// makes N workers equal 1 worker). Members whose episode ended keep their lane but are
// masked (no env step, no reward); a group stops when its 4 lanes are done.
// Environment state is f64 and stepped per lane (assembly/env/classic.ts).
// Noise: member i's parameters are x = f32(mean + σ ⊙ (s·z_k)) with z_k from Philox
// (seed, generation, k) — antithetic pairs k = i >> 1, s = +1 for even i, −1 for odd i.
//
// cfg (i32 words; src/es/evaluator.ts writes it):
//   0 env, 1 in, 2 H, 3 out (≤ 4), 4 D, 5 episodes, 6 maxSteps, 7 first member, 8 count,
//   9 antithetic, 10 seed, 11 generation (noise), 12 source (0 noise, 1 rows, 2 mean),
//   13 reset generation (episode starts), 14 ignore termination (benchmarks: fixed work), 16 mean f64[D], 17 sigma f64[D],
//   18 genome scratch f32[D][4], 19 membrane scratch f32[H][4], 20 fitness out f64[count],
//   21 constants f32[16] (α1 β1 γ1 th1 vr1 α2 β2 γ2 actionScale obsScale[0..4)),
//   22 rows f32[count][D] (source 1), 23 env scratch (512 bytes: lane states, uniforms, CartPole SoA + quadrant), 24 input scratch f32[in][4],
//   25 steps out f64[count] (0 = none)
import { gaussian4, g0, g1, g2, g3, reset_uniform4 } from './philox';
import { env_reset, env_step, env_obs, env_terminated, ENV_CARTPOLE, cartpole_step2 } from '../env/classic';

// @ts-ignore: decorator
@inline function W(cfg: usize, k: i32): i32 { return load<i32>(cfg + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline function P(cfg: usize, k: i32): usize { return <usize>load<u32>(cfg + (<usize>k << 2)); }

/** Writes lane `lane` of the genome scratch with member `m` (see header). */
function fillLane(cfg: usize, g: usize, lane: i32, m: i32): void {
  const D = W(cfg, 4), source = W(cfg, 12);
  const gl = g + (<usize>lane << 2);
  if (source == 1) {
    const row = P(cfg, 22) + (<usize>(m - W(cfg, 7)) * <usize>D << 2);
    for (let d = 0; d < D; d++) store<f32>(gl + (<usize>d << 4), load<f32>(row + (<usize>d << 2)));
    return;
  }
  const mean = P(cfg, 16);
  if (source == 2) {
    for (let d = 0; d < D; d++) store<f32>(gl + (<usize>d << 4), <f32>load<f64>(mean + (<usize>d << 3)));
    return;
  }
  const sigma = P(cfg, 17);
  const anti = W(cfg, 9) != 0;
  const k = anti ? m >> 1 : m;
  const s: f64 = anti && (m & 1) != 0 ? -1.0 : 1.0;
  for (let d = 0; d < D; d += 4) {
    gaussian4(<u32>W(cfg, 10), <u32>W(cfg, 11), <u32>k, <u32>(d >> 2));
    for (let j = 0; j < 4 && d + j < D; j++) {
      const z = j == 0 ? g0 : j == 1 ? g1 : j == 2 ? g2 : g3;
      const q = <usize>(d + j) << 3;
      store<f32>(gl + (<usize>(d + j) << 4), <f32>(load<f64>(mean + q) + load<f64>(sigma + q) * (s * z)));
    }
  }
}

/** Evaluates members [first, first + count): fitness = mean episode return. Returns 0. */
export function es_eval_f32(cfg: usize): i32 {
  const envId = W(cfg, 0), inN = W(cfg, 1), H = W(cfg, 2), outN = W(cfg, 3), D = W(cfg, 4);
  const E = W(cfg, 5), T = W(cfg, 6), first = W(cfg, 7), count = W(cfg, 8);
  const g = P(cfg, 18), vm = P(cfg, 19), fit = P(cfg, 20), k = P(cfg, 21), envs = P(cfg, 23), xs = P(cfg, 24);
  const stepsOut = P(cfg, 25);
  const fixed = W(cfg, 14) != 0;
  const alpha1 = f32x4.splat(load<f32>(k)), beta1 = f32x4.splat(load<f32>(k, 4)), gamma1 = f32x4.splat(load<f32>(k, 8));
  const th1 = f32x4.splat(load<f32>(k, 12)), vr1 = f32x4.splat(load<f32>(k, 16));
  const drop1 = f32x4.sub(th1, vr1);
  const alpha2 = f32x4.splat(load<f32>(k, 20)), beta2 = f32x4.splat(load<f32>(k, 24)), gamma2 = f32x4.splat(load<f32>(k, 28));
  const actionScale = <f64>load<f32>(k, 32);
  const offB1 = H * inN, offW2 = offB1 + H, offB2 = offW2 + outN * H;
  const uni = envs + 128; // 4 uniforms after the 4 lane states
  for (let m0 = 0; m0 < count; m0 += 4) {
    for (let lane = 0; lane < 4; lane++) fillLane(cfg, g, lane, first + min(m0 + lane, count - 1));
    let ret0: f64 = 0, ret1: f64 = 0, ret2: f64 = 0, ret3: f64 = 0;
    let stp0: f64 = 0, stp1: f64 = 0, stp2: f64 = 0, stp3: f64 = 0;
    for (let e = 0; e < E; e++) {
      reset_uniform4(uni, <u32>W(cfg, 10), <u32>W(cfg, 13), <u32>e);
      const cart = envId == ENV_CARTPOLE;
      const soa = envs + 160; // CartPole: SoA state x[4] ẋ[4] θ[4] θ̇[4] (f64), then 16 bytes scratch
      if (cart) {
        env_reset(envId, envs, uni);
        for (let c = 0; c < 4; c++) {
          const v = f64x2.splat(load<f64>(envs + (<usize>c << 3)));
          v128.store(soa + (<usize>c << 5), v);
          v128.store(soa + (<usize>c << 5), v, 16);
        }
      } else {
        for (let lane = 0; lane < 4; lane++) env_reset(envId, envs + (<usize>lane << 5), uni);
      }
      memory.fill(vm, 0, <usize>H << 4);
      let o0 = f32x4.splat(0), o1 = o0, o2 = o0, o3 = o0; // LI membranes
      let done = 0; // bit per lane
      let doneV = i32x4.splat(0), stepsV = i32x4.splat(0);
      for (let t = 0; t < T && done != 15; t++) {
        // Observations → inputs, one f32x4 per input (f32(obs)·scale, as the JS twin).
        if (cart) {
          for (let i = 0; i < 4; i++) {
            const q = soa + (<usize>i << 5);
            const lo = f32x4.demote_f64x2_zero(v128.load(q)), hi = f32x4.demote_f64x2_zero(v128.load(q, 16));
            const o = v128.shuffle<f32>(lo, hi, 0, 1, 4, 5);
            v128.store(xs + (<usize>i << 4), f32x4.mul(o, f32x4.splat(load<f32>(k + 36 + (<usize>i << 2)))));
          }
        } else {
          for (let i = 0; i < inN; i++) {
            const sc = load<f32>(k + 36 + (<usize>i << 2));
            const p = xs + (<usize>i << 4);
            for (let lane = 0; lane < 4; lane++) {
              store<f32>(p + (<usize>lane << 2), <f32>env_obs(envId, envs + (<usize>lane << 5), i) * sc);
            }
          }
        }
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
        const b1p = g + (<usize>offB1 << 4), w2p = g + (<usize>offW2 << 4);
        if (inN == 4) {
          // The common case, inputs held in registers.
          const x0 = v128.load(xs), x1 = v128.load(xs, 16), x2 = v128.load(xs, 32), x3 = v128.load(xs, 48);
          for (let h = 0; h < H; h++) {
            const wrow = g + (<usize>h << 6);
            let acc = f32x4.mul(v128.load(wrow), x0);
            acc = f32x4.add(acc, f32x4.mul(v128.load(wrow, 16), x1));
            acc = f32x4.add(acc, f32x4.mul(v128.load(wrow, 32), x2));
            acc = f32x4.add(acc, f32x4.mul(v128.load(wrow, 48), x3));
            const hp = <usize>h << 4;
            const cur = f32x4.add(acc, v128.load(b1p + hp));
            const vp = vm + hp;
            const u = f32x4.add(f32x4.add(f32x4.mul(v128.load(vp), alpha1), f32x4.mul(cur, beta1)), gamma1);
            const fire = f32x4.gt(u, th1);
            v128.store(vp, v128.bitselect(f32x4.sub(u, drop1), u, fire));
            const w2 = w2p + hp;
            a0 = f32x4.add(a0, v128.and(v128.load(w2), fire));
            if (outN > 1) a1 = f32x4.add(a1, v128.and(v128.load(w2 + (<usize>H << 4)), fire));
            if (outN > 2) a2 = f32x4.add(a2, v128.and(v128.load(w2 + (<usize>(2 * H) << 4)), fire));
            if (outN > 3) a3 = f32x4.add(a3, v128.and(v128.load(w2 + (<usize>(3 * H) << 4)), fire));
          }
        } else {
          for (let h = 0; h < H; h++) {
            const wrow = g + (<usize>(h * inN) << 4);
            let acc = f32x4.mul(v128.load(wrow), v128.load(xs));
            for (let i = 1; i < inN; i++) {
              acc = f32x4.add(acc, f32x4.mul(v128.load(wrow + (<usize>i << 4)), v128.load(xs + (<usize>i << 4))));
            }
            const hp = <usize>h << 4;
            const cur = f32x4.add(acc, v128.load(b1p + hp));
            const vp = vm + hp;
            const u = f32x4.add(f32x4.add(f32x4.mul(v128.load(vp), alpha1), f32x4.mul(cur, beta1)), gamma1);
            const fire = f32x4.gt(u, th1);
            v128.store(vp, v128.bitselect(f32x4.sub(u, drop1), u, fire));
            const w2 = w2p + hp;
            a0 = f32x4.add(a0, v128.and(v128.load(w2), fire));
            if (outN > 1) a1 = f32x4.add(a1, v128.and(v128.load(w2 + (<usize>H << 4)), fire));
            if (outN > 2) a2 = f32x4.add(a2, v128.and(v128.load(w2 + (<usize>(2 * H) << 4)), fire));
            if (outN > 3) a3 = f32x4.add(a3, v128.and(v128.load(w2 + (<usize>(3 * H) << 4)), fire));
          }
        }
        const b2 = g + (<usize>offB2 << 4);
        o0 = f32x4.add(f32x4.add(f32x4.mul(o0, alpha2), f32x4.mul(f32x4.add(a0, v128.load(b2)), beta2)), gamma2);
        if (outN > 1) o1 = f32x4.add(f32x4.add(f32x4.mul(o1, alpha2), f32x4.mul(f32x4.add(a1, v128.load(b2, 16)), beta2)), gamma2);
        if (outN > 2) o2 = f32x4.add(f32x4.add(f32x4.mul(o2, alpha2), f32x4.mul(f32x4.add(a2, v128.load(b2, 32)), beta2)), gamma2);
        if (outN > 3) o3 = f32x4.add(f32x4.add(f32x4.mul(o3, alpha2), f32x4.mul(f32x4.add(a3, v128.load(b2, 48)), beta2)), gamma2);
        if (cart) {
          // action 1 (push right, +10) where readout 1 > readout 0; all 4 lanes in two f64x2 halves.
          const greater = f32x4.gt(o1, o0);
          const fmag = f64x2.splat(10.0);
          const f0 = v128.bitselect(fmag, f64x2.neg(fmag), i64x2.extend_low_i32x4_s(greater));
          const f1 = v128.bitselect(fmag, f64x2.neg(fmag), i64x2.extend_high_i32x4_s(greater));
          const t0 = cartpole_step2(soa, f0, soa + 128);
          const t1 = cartpole_step2(soa + 16, f1, soa + 128);
          const term = v128.shuffle<i32>(t0, t1, 0, 2, 4, 6); // i64 masks → i32 masks, lanes 0..3
          const active = v128.not(doneV);
          stepsV = i32x4.sub(stepsV, active); // active lanes are −1
          if (!fixed) doneV = v128.or(doneV, v128.and(active, term));
          done = i32x4.bitmask(doneV);
          continue;
        }
        // Actions and environment steps, lane by lane.
        for (let lane = 0; lane < 4; lane++) {
          if ((done >> lane) & 1) continue;
          const v = lane == 0 ? f32x4.extract_lane(o0, 0) : lane == 1 ? f32x4.extract_lane(o0, 1)
            : lane == 2 ? f32x4.extract_lane(o0, 2) : f32x4.extract_lane(o0, 3);
          const r = env_step(envId, envs + (<usize>lane << 5), <f64>v * actionScale);
          if (lane == 0) { ret0 += r; stp0 += 1; } else if (lane == 1) { ret1 += r; stp1 += 1; }
          else if (lane == 2) { ret2 += r; stp2 += 1; } else { ret3 += r; stp3 += 1; }
          if (env_terminated && !fixed) done |= 1 << lane;
        }
      }
      if (cart) {
        // Reward 1 per step taken, including the terminating one (Gymnasium).
        const s0 = <f64>i32x4.extract_lane(stepsV, 0), s1 = <f64>i32x4.extract_lane(stepsV, 1);
        const s2 = <f64>i32x4.extract_lane(stepsV, 2), s3 = <f64>i32x4.extract_lane(stepsV, 3);
        ret0 += s0; ret1 += s1; ret2 += s2; ret3 += s3;
        stp0 += s0; stp1 += s1; stp2 += s2; stp3 += s3;
      }
    }
    const inv = 1.0 / <f64>E;
    for (let lane = 0; lane < 4 && m0 + lane < count; lane++) {
      const p = fit + (<usize>(m0 + lane) << 3);
      store<f64>(p, (lane == 0 ? ret0 : lane == 1 ? ret1 : lane == 2 ? ret2 : ret3) * inv);
      if (stepsOut != 0) {
        store<f64>(stepsOut + (<usize>(m0 + lane) << 3), lane == 0 ? stp0 : lane == 1 ? stp1 : lane == 2 ? stp2 : stp3);
      }
    }
  }
  return 0;
}
