// ES fitness evaluation: a whole slice of a population × episodes of rollouts in one call.
//
// Policy (f32): obs → Linear(in→H) → LIF(H) → Linear(H→out) → LI(out), one network step per
// environment step, the cell updates exactly as lif_f32 (u = (v·α + cur·β) + γ; fire = u > th;
// subtract reset; LI never fires). Parameters, flattened in NetworkSpec order:
//   W1 [H, in] row-major, b1 [H], W2 [out, H], b2 [out]      (D = H·in + H + out·H + out).
// Vectorisation: population members across f32x4 lanes ("member-major lanes"). Every member
// has its own weights, so a per-member mat-vec of in = 4 would leave most lanes idle; across
// members each weight load serves 4 members and no lane ever talks to another, so a member's
// result does not depend on its lane or on who shares its group (which is what makes N workers
// equal 1 worker). Members whose episode ended keep their lane but are masked (no reward, no
// step counted); a pass stops when all its lanes are done.
//
// Two paths:
//  - CartPole (in = 4, out = 2, argmax action): 8 members per pass, two f32x4 groups A and B.
//    Per step: observations of both groups, the hidden layer of A and of B (hidden4, a function
//    of its own: inlined into the step loop, V8's register allocator spilled the accumulators
//    and re-broadcast the constants on every neuron, 95 instead of 33 instructions per neuron
//    and group), the readouts, then the f64 physics of all 8 lanes as four f64x2 chains side by
//    side (cartpole_step8). The genome is packed per hidden neuron h into one 256-byte record,
//    so the hidden loop walks one pointer and every load has an immediate offset:
//      [W1[h,0..3] (A,B interleaved: 8 × 16 B), b1[h] A,B, W2[0,h] A,B, W2[1,h] A,B, v[h] A,B]
//    followed by b2[0] A,B, b2[1] A,B.
//  - other environments (Pendulum, PointMass): 4 members per pass, genome element d of lane l
//    at g + 16·d + 4·l, environment stepped per lane with the scalar env_step.
// Noise: member i's parameters are x = f32(mean + σ ⊙ (s·z_k)) with z_k from Philox
// (seed, generation, k) — antithetic pairs k = i >> 1, s = +1 for even i, −1 for odd i. A pass
// draws each distinct z_k once (an antithetic pair shares it), four at a time (gaussian4x4).
//
// cfg (i32 words; src/es/evaluator.ts writes it):
//   0 env, 1 in, 2 H, 3 out (≤ 4; CartPole: in 4, out 2), 4 D, 5 episodes, 6 maxSteps, 7 first member, 8 count,
//   9 antithetic, 10 seed, 11 generation (noise), 12 source (0 noise, 1 rows, 2 mean),
//   13 reset generation (episode starts), 14 ignore termination (benchmarks: fixed work), 16 mean f64[D], 17 sigma f64[D],
//   18 genome scratch ((D + H) · 32 bytes), 19 membrane scratch f32[H][4], 20 fitness out f64[count],
//   21 constants f32[16] (α1 β1 γ1 th1 vr1 α2 β2 γ2 actionScale obsScale[0..4)),
//   22 rows f32[count][D] (source 1), 23 env scratch (512 bytes: lane states, uniforms, CartPole SoA),
//   24 scratch (1024 bytes: inputs f32x4[in][2] at 0, readout currents at 128, th − vr at 192,
//      termination masks at 384, noise indices / normals / slots at 512), 25 steps out f64[count] (0 = none)
import { gaussian4x4, reset_uniform4 } from './philox';
import { env_reset, env_step, env_obs, env_terminated, ENV_CARTPOLE, cartpole_step8, cartpole_force2 } from '../env/classic';

// @ts-ignore: decorator
@inline function W(cfg: usize, k: i32): i32 { return load<i32>(cfg + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline function P(cfg: usize, k: i32): usize { return <usize>load<u32>(cfg + (<usize>k << 2)); }

/** Byte offset of parameter d of lane `lane` in the genome scratch (layouts: see header). */
// @ts-ignore: decorator
@inline function slot(d: i32, lane: i32, packed: bool, H: i32): usize {
  if (!packed) return (<usize>d << 4) + (<usize>lane << 2);
  const l = (<usize>(lane >> 2) << 4) + (<usize>(lane & 3) << 2);
  const n1 = H << 2;
  if (d < n1) return (<usize>(d >> 2) << 8) + (<usize>(d & 3) << 5) + l;
  if (d < n1 + H) return (<usize>(d - n1) << 8) + 128 + l;
  const e = d - n1 - H;
  if (e < H) return (<usize>e << 8) + 160 + l;
  if (e < 2 * H) return (<usize>(e - H) << 8) + 192 + l;
  return (<usize>H << 8) + (<usize>(e - 2 * H) << 5) + l;
}

/**
 * Writes the parameters of lanes [0, lanes) of the genome scratch with members
 * first + min(m0 + lane, count − 1) (tail lanes repeat the last member; their results are dropped).
 */
function fillLanes(cfg: usize, g: usize, lanes: i32, m0: i32, packed: bool): void {
  const D = W(cfg, 4), H = W(cfg, 2), source = W(cfg, 12), first = W(cfg, 7), count = W(cfg, 8);
  if (source == 1 || source == 2) {
    const mean = P(cfg, 16);
    for (let lane = 0; lane < lanes; lane++) {
      const m = min(m0 + lane, count - 1);
      const row = P(cfg, 22) + (<usize>m * <usize>D << 2);
      for (let d = 0; d < D; d++) {
        const x: f32 = source == 1 ? load<f32>(row + (<usize>d << 2)) : <f32>load<f64>(mean + (<usize>d << 3));
        store<f32>(g + slot(d, lane, packed, H), x);
      }
    }
    return;
  }
  const mean = P(cfg, 16), sigma = P(cfg, 17);
  const anti = W(cfg, 9) != 0;
  const seed = <u32>W(cfg, 10), gen = <u32>W(cfg, 11);
  // Distinct noise indices of the lanes (an antithetic pair shares one), in SIMD batches of 4.
  const ks = P(cfg, 24) + 512, idx = ks + 32, zs = ks + 64;
  let nk = 0;
  for (let lane = 0; lane < lanes; lane++) {
    const m = first + min(m0 + lane, count - 1);
    const k = anti ? m >> 1 : m;
    if (nk == 0 || k != load<i32>(ks + (<usize>(nk - 1) << 2))) { store<i32>(ks + (<usize>nk << 2), k); nk++; }
    store<i32>(idx + (<usize>lane << 2), nk - 1);
  }
  for (let j = nk; j < ((nk + 3) & ~3); j++) store<i32>(ks + (<usize>j << 2), load<i32>(ks + (<usize>(nk - 1) << 2)));
  const sl = zs + 256; // the 4 slots of the current block (u32)
  for (let d = 0; d < D; d += 4) {
    for (let b = 0; b < nk; b += 4) gaussian4x4(seed, gen, v128.load(ks + (<usize>b << 2)), <u32>(d >> 2), zs + (<usize>b << 5));
    const n = min(4, D - d);
    for (let j = 0; j < n; j++) store<u32>(sl + (<usize>j << 2), <u32>(g + slot(d + j, 0, packed, H)));
    // x = mean + σ·(s·z) for parameters d … d+3 (f64x2 pairs; lanes past D are computed, not stored).
    const q = mean + (<usize>d << 3), r = sigma + (<usize>d << 3);
    const mv0 = v128.load(q), mv1 = v128.load(q, 16), sv0 = v128.load(r), sv1 = v128.load(r, 16);
    for (let lane = 0; lane < lanes; lane++) {
      const m = first + min(m0 + lane, count - 1);
      const z = zs + (<usize>load<i32>(idx + (<usize>lane << 2)) << 5);
      let z0 = v128.load(z), z1 = v128.load(z, 16);
      if (anti && (m & 1) != 0) { z0 = f64x2.neg(z0); z1 = f64x2.neg(z1); } // s·z, s = −1: exact
      const x = v128.shuffle<f32>(f32x4.demote_f64x2_zero(f64x2.add(mv0, f64x2.mul(sv0, z0))),
        f32x4.demote_f64x2_zero(f64x2.add(mv1, f64x2.mul(sv1, z1))), 0, 1, 4, 5);
      const lo = packed ? (<usize>(lane >> 2) << 4) + (<usize>(lane & 3) << 2) : <usize>lane << 2;
      store<f32>(<usize>load<u32>(sl) + lo, f32x4.extract_lane(x, 0));
      if (n > 1) store<f32>(<usize>load<u32>(sl, 4) + lo, f32x4.extract_lane(x, 1));
      if (n > 2) store<f32>(<usize>load<u32>(sl, 8) + lo, f32x4.extract_lane(x, 2));
      if (n > 3) store<f32>(<usize>load<u32>(sl, 12) + lo, f32x4.extract_lane(x, 3));
    }
  }
}

/** Evaluates members [first, first + count): fitness = mean episode return. Returns 0. */
export function es_eval_f32(cfg: usize): i32 {
  if (W(cfg, 0) == ENV_CARTPOLE) evalCartPole(cfg);
  else evalGeneric(cfg);
  return 0;
}

/** f32x4 of the observation component at SoA row q (4 f64 lanes) × scale. */
// @ts-ignore: decorator
@inline function obs4(q: usize, scale: v128): v128 {
  const lo = f32x4.demote_f64x2_zero(v128.load(q)), hi = f32x4.demote_f64x2_zero(v128.load(q, 16));
  return f32x4.mul(v128.shuffle<f32>(lo, hi, 0, 1, 4, 5), scale);
}

/** action 1 (push right, +10) where readout 1 > readout 0: the f64x2 forces of lanes 0–1 and 2–3. */
// @ts-ignore: decorator
@inline function forceLo(greater: v128): v128 {
  return cartpole_force2(i64x2.extend_low_i32x4_s(greater));
}
// @ts-ignore: decorator
@inline function forceHi(greater: v128): v128 {
  return cartpole_force2(i64x2.extend_high_i32x4_s(greater));
}

/**
 * The hidden layer of one CartPole step for one group (4 lanes): records from p to end with
 * stride 256 (group A: p = g; group B: p = g + 16, see header), inputs at xs + 32·i; leaves the
 * readout currents W2·spikes at xs + 128 (readout 0) and xs + 160 (readout 1).
 */
function hidden4(g: usize, end: usize, xs: usize, k: usize): void {
  const x0 = v128.load(xs), x1 = v128.load(xs, 32), x2 = v128.load(xs, 64), x3 = v128.load(xs, 96);
  const alpha1 = v128.load32_splat(k), beta1 = v128.load32_splat(k, 4), gamma1 = v128.load32_splat(k, 8);
  const th1 = v128.load32_splat(k, 12), drop1 = v128.load(xs, 192);
  let a0 = f32x4.splat(0), a1 = a0;
  for (let p = g; p < end; p += 256) {
    let acc = f32x4.mul(v128.load(p), x0);
    acc = f32x4.add(acc, f32x4.mul(v128.load(p, 32), x1));
    acc = f32x4.add(acc, f32x4.mul(v128.load(p, 64), x2));
    acc = f32x4.add(acc, f32x4.mul(v128.load(p, 96), x3));
    const cur = f32x4.add(acc, v128.load(p, 128));
    const u = f32x4.add(f32x4.add(f32x4.mul(v128.load(p, 224), alpha1), f32x4.mul(cur, beta1)), gamma1);
    const fire = f32x4.gt(u, th1);
    v128.store(p, f32x4.sub(u, v128.and(drop1, fire)), 224);
    a0 = f32x4.add(a0, v128.and(v128.load(p, 160), fire));
    a1 = f32x4.add(a1, v128.and(v128.load(p, 192), fire));
  }
  v128.store(xs, a0, 128); v128.store(xs, a1, 160);
}

/** CartPole path: 8 members per pass (see header). Reward is 1 per step taken, so return = steps. */
function evalCartPole(cfg: usize): void {
  const H = W(cfg, 2);
  const E = W(cfg, 5), T = W(cfg, 6), count = W(cfg, 8);
  const g = P(cfg, 18), fit = P(cfg, 20), k = P(cfg, 21), envs = P(cfg, 23), xs = P(cfg, 24);
  const stepsOut = P(cfg, 25);
  const fixed = W(cfg, 14) != 0;
  const alpha1 = f32x4.splat(load<f32>(k)), beta1 = f32x4.splat(load<f32>(k, 4)), gamma1 = f32x4.splat(load<f32>(k, 8));
  const th1 = f32x4.splat(load<f32>(k, 12)), vr1 = f32x4.splat(load<f32>(k, 16));
  const drop1 = f32x4.sub(th1, vr1);
  const alpha2 = f32x4.splat(load<f32>(k, 20)), beta2 = f32x4.splat(load<f32>(k, 24)), gamma2 = f32x4.splat(load<f32>(k, 28));
  const sc0 = f32x4.splat(load<f32>(k, 36)), sc1 = f32x4.splat(load<f32>(k, 40));
  const sc2 = f32x4.splat(load<f32>(k, 44)), sc3 = f32x4.splat(load<f32>(k, 48));
  const uni = envs + 128; // 4 uniforms after the start state
  const soaA = envs + 160, soaB = envs + 288; // SoA x[4] ẋ[4] θ[4] θ̇[4] (f64) of groups A and B
  const end = g + (<usize>H << 8); // the per-neuron records; b2 follows
  v128.store(xs, drop1, 192); v128.store(xs, drop1, 208); // th − vr, for hidden4 (A at xs, B at xs + 16)
  const inv = 1.0 / <f64>E;
  for (let m0 = 0; m0 < count; m0 += 8) {
    fillLanes(cfg, g, 8, m0, true);
    let totA = i32x4.splat(0), totB = totA; // steps over all episodes (= return)
    for (let e = 0; e < E; e++) {
      reset_uniform4(uni, <u32>W(cfg, 10), <u32>W(cfg, 13), <u32>e);
      env_reset(ENV_CARTPOLE, envs, uni); // one start state for all members (common random numbers)
      for (let c = 0; c < 4; c++) {
        const v = f64x2.splat(load<f64>(envs + (<usize>c << 3)));
        const q = <usize>c << 5;
        v128.store(soaA + q, v); v128.store(soaA + q, v, 16);
        v128.store(soaB + q, v); v128.store(soaB + q, v, 16);
      }
      for (let p = g; p < end; p += 256) { v128.store(p, f32x4.splat(0), 224); v128.store(p, f32x4.splat(0), 240); }
      let oA0 = f32x4.splat(0), oA1 = oA0, oB0 = oA0, oB1 = oA0; // LI membranes
      let doneA = i32x4.splat(0), doneB = doneA, stepsA = doneA, stepsB = doneA;
      for (let t = 0; t < T; t++) {
        v128.store(xs, obs4(soaA, sc0));
        v128.store(xs, obs4(soaA + 32, sc1), 32);
        v128.store(xs, obs4(soaA + 64, sc2), 64);
        v128.store(xs, obs4(soaA + 96, sc3), 96);
        v128.store(xs, obs4(soaB, sc0), 16);
        v128.store(xs, obs4(soaB + 32, sc1), 48);
        v128.store(xs, obs4(soaB + 64, sc2), 80);
        v128.store(xs, obs4(soaB + 96, sc3), 112);
        hidden4(g, end, xs, k);
        hidden4(g + 16, end + 16, xs + 16, k);
        oA0 = f32x4.add(f32x4.add(f32x4.mul(oA0, alpha2), f32x4.mul(f32x4.add(v128.load(xs, 128), v128.load(end)), beta2)), gamma2);
        oA1 = f32x4.add(f32x4.add(f32x4.mul(oA1, alpha2), f32x4.mul(f32x4.add(v128.load(xs, 160), v128.load(end, 32)), beta2)), gamma2);
        oB0 = f32x4.add(f32x4.add(f32x4.mul(oB0, alpha2), f32x4.mul(f32x4.add(v128.load(xs, 144), v128.load(end, 16)), beta2)), gamma2);
        oB1 = f32x4.add(f32x4.add(f32x4.mul(oB1, alpha2), f32x4.mul(f32x4.add(v128.load(xs, 176), v128.load(end, 48)), beta2)), gamma2);
        const gtA = f32x4.gt(oA1, oA0), gtB = f32x4.gt(oB1, oB0);
        cartpole_step8(soaA, soaB, forceLo(gtA), forceHi(gtA), forceLo(gtB), forceHi(gtB), xs + 384);
        const termA = v128.load(xs, 384), termB = v128.load(xs, 400);
        const activeA = v128.not(doneA), activeB = v128.not(doneB);
        stepsA = i32x4.sub(stepsA, activeA); // active lanes are −1
        stepsB = i32x4.sub(stepsB, activeB);
        if (!fixed) {
          // i64 masks → i32 masks, lanes 0..3
          doneA = v128.or(doneA, v128.and(activeA, termA));
          doneB = v128.or(doneB, v128.and(activeB, termB));
          if (v128.all_true<i32>(v128.and(doneA, doneB))) break;
        }
      }
      totA = i32x4.add(totA, stepsA); totB = i32x4.add(totB, stepsB);
    }
    // Reward 1 per step taken, including the terminating one (Gymnasium): return = steps.
    for (let lane = 0; lane < 8 && m0 + lane < count; lane++) {
      const v = lane < 4 ? totA : totB;
      const j = lane & 3;
      const s = <f64>(j == 0 ? i32x4.extract_lane(v, 0) : j == 1 ? i32x4.extract_lane(v, 1) : j == 2 ? i32x4.extract_lane(v, 2) : i32x4.extract_lane(v, 3));
      store<f64>(fit + (<usize>(m0 + lane) << 3), s * inv);
      if (stepsOut != 0) store<f64>(stepsOut + (<usize>(m0 + lane) << 3), s);
    }
  }
}

/** Other environments: 4 members per pass, per-lane scalar environment steps. */
function evalGeneric(cfg: usize): void {
  const envId = W(cfg, 0), inN = W(cfg, 1), H = W(cfg, 2), outN = W(cfg, 3), D = W(cfg, 4);
  const E = W(cfg, 5), T = W(cfg, 6), count = W(cfg, 8);
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
    fillLanes(cfg, g, 4, m0, false);
    let ret0: f64 = 0, ret1: f64 = 0, ret2: f64 = 0, ret3: f64 = 0;
    let stp0: f64 = 0, stp1: f64 = 0, stp2: f64 = 0, stp3: f64 = 0;
    for (let e = 0; e < E; e++) {
      reset_uniform4(uni, <u32>W(cfg, 10), <u32>W(cfg, 13), <u32>e);
      for (let lane = 0; lane < 4; lane++) env_reset(envId, envs + (<usize>lane << 5), uni);
      memory.fill(vm, 0, <usize>H << 4);
      let o0 = f32x4.splat(0), o1 = o0, o2 = o0, o3 = o0; // LI membranes
      let done = 0; // bit per lane
      for (let t = 0; t < T && done != 15; t++) {
        // Observations → inputs, one f32x4 per input (f32(obs)·scale, as the JS twin).
        for (let i = 0; i < inN; i++) {
          const sc = load<f32>(k + 36 + (<usize>i << 2));
          const p = xs + (<usize>i << 4);
          for (let lane = 0; lane < 4; lane++) {
            store<f32>(p + (<usize>lane << 2), <f32>env_obs(envId, envs + (<usize>lane << 5), i) * sc);
          }
        }
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
        const b1p = g + (<usize>offB1 << 4), w2p = g + (<usize>offW2 << 4);
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
          v128.store(vp, f32x4.sub(u, v128.and(drop1, fire)));
          const w2 = w2p + hp;
          a0 = f32x4.add(a0, v128.and(v128.load(w2), fire));
          if (outN > 1) a1 = f32x4.add(a1, v128.and(v128.load(w2 + (<usize>H << 4)), fire));
          if (outN > 2) a2 = f32x4.add(a2, v128.and(v128.load(w2 + (<usize>(2 * H) << 4)), fire));
          if (outN > 3) a3 = f32x4.add(a3, v128.and(v128.load(w2 + (<usize>(3 * H) << 4)), fire));
        }
        const b2 = g + (<usize>offB2 << 4);
        o0 = f32x4.add(f32x4.add(f32x4.mul(o0, alpha2), f32x4.mul(f32x4.add(a0, v128.load(b2)), beta2)), gamma2);
        if (outN > 1) o1 = f32x4.add(f32x4.add(f32x4.mul(o1, alpha2), f32x4.mul(f32x4.add(a1, v128.load(b2, 16)), beta2)), gamma2);
        if (outN > 2) o2 = f32x4.add(f32x4.add(f32x4.mul(o2, alpha2), f32x4.mul(f32x4.add(a2, v128.load(b2, 32)), beta2)), gamma2);
        if (outN > 3) o3 = f32x4.add(f32x4.add(f32x4.mul(o3, alpha2), f32x4.mul(f32x4.add(a3, v128.load(b2, 48)), beta2)), gamma2);
        // Actions and environment steps, lane by lane (continuous action = readout 0 · scale).
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
}
