// Control environments stepped inside wasm, f64 state, one episode at a time per call.
// Constants, integrator order, termination and rewards follow Gymnasium's classic_control
// (CartPole-v1: cartpole.py, Euler integrator; Pendulum-v1: pendulum.py) and Spyx's 1-D
// point-mass task (spyx.experimental.zoo.control). Expressions are evaluated in the order
// Python evaluates them (left to right), so trajectories equal Gymnasium's to rounding of
// sin/cos (det_sin/det_cos, ≤ 2 ulp). src/envs/*.ts are the TypeScript twins (bit-equal).
// docs/environments.md describes how to add one.
//
// State layout (f64 [4]): CartPole [x, ẋ, θ, θ̇]; Pendulum [θ, θ̇, 0, 0]; PointMass [x, v, 0, 0].
import { det_cos, det_sin, INV_PIO2, PIO2_HI, PIO2_LO, POLY2 } from './trig';

export const ENV_CARTPOLE: i32 = 0;
export const ENV_PENDULUM: i32 = 1;
export const ENV_POINTMASS: i32 = 2;

// CartPole-v1
const CP_GRAVITY: f64 = 9.8;
const CP_MASSPOLE: f64 = 0.1;
const CP_TOTAL_MASS: f64 = 0.1 + 1.0;      // masspole + masscart
const CP_LENGTH: f64 = 0.5;                 // half the pole's length
const CP_POLEMASS_LENGTH: f64 = 0.1 * 0.5;
const CP_FORCE_MAG: f64 = 10.0;
const CP_TAU: f64 = 0.02;
const CP_THETA_THRESHOLD: f64 = 12.0 * 2.0 * Math.PI / 360.0;
const CP_X_THRESHOLD: f64 = 2.4;
// Pendulum-v1
const PD_MAX_SPEED: f64 = 8.0;
const PD_MAX_TORQUE: f64 = 2.0;
const PD_DT: f64 = 0.05;
const PD_G: f64 = 10.0;
// PointMass-v0 (Spyx zoo): dt 0.1, force clipped to ±PM_MAX_FORCE (our bound; Spyx has none)
const PM_DT: f64 = 0.1;
const PM_MAX_FORCE: f64 = 10.0;

/** Set by env_step: 1 when the step terminated the episode. */
export let env_terminated: i32 = 0;

/** Initial state from 4 uniforms in [0, 1) (Gymnasium's ranges, low + (high − low)·u). */
export function env_reset(envId: i32, state: usize, u: usize): void {
  if (envId == ENV_CARTPOLE) {
    for (let i = 0; i < 4; i++) store<f64>(state + (<usize>i << 3), -0.05 + 0.1 * load<f64>(u + (<usize>i << 3)));
  } else if (envId == ENV_PENDULUM) {
    store<f64>(state, -Math.PI + (2.0 * Math.PI) * load<f64>(u));
    store<f64>(state, -1.0 + 2.0 * load<f64>(u, 8), 8);
    store<f64>(state, 0.0, 16); store<f64>(state, 0.0, 24);
  } else {
    store<f64>(state, -1.0 + 2.0 * load<f64>(u));
    store<f64>(state, -1.0 + 2.0 * load<f64>(u, 8), 8);
    store<f64>(state, 0.0, 16); store<f64>(state, 0.0, 24);
  }
}

/** Observation size of an environment. */
export function env_obs_size(envId: i32): i32 {
  return envId == ENV_CARTPOLE ? 4 : envId == ENV_PENDULUM ? 3 : 2;
}

/** Observation component i (f64; Gymnasium then stores it as float32). */
// @ts-ignore: decorator
@inline export function env_obs(envId: i32, state: usize, i: i32): f64 {
  if (envId == ENV_PENDULUM) {
    const th = load<f64>(state);
    return i == 0 ? det_cos(th) : i == 1 ? det_sin(th) : load<f64>(state, 8);
  }
  return load<f64>(state + (<usize>i << 3));
}

/** Python's ((x + π) % 2π) − π (floored modulo). */
// @ts-ignore: decorator
@inline function angleNormalize(x: f64): f64 {
  const y = x + Math.PI;
  let m = y % (2.0 * Math.PI);
  if (m != 0 && m < 0) m += 2.0 * Math.PI;
  return m - Math.PI;
}

/** One step; returns the reward and sets env_terminated. Actions are assumed valid. */
export function env_step(envId: i32, state: usize, action: f64): f64 {
  if (envId == ENV_CARTPOLE) {
    const x = load<f64>(state), xDot = load<f64>(state, 8), theta = load<f64>(state, 16), thetaDot = load<f64>(state, 24);
    const force = action == 1.0 ? CP_FORCE_MAG : -CP_FORCE_MAG;
    const costheta = det_cos(theta), sintheta = det_sin(theta);
    const temp = (force + CP_POLEMASS_LENGTH * (thetaDot * thetaDot) * sintheta) / CP_TOTAL_MASS;
    const thetaacc = (CP_GRAVITY * sintheta - costheta * temp) /
      (CP_LENGTH * (4.0 / 3.0 - CP_MASSPOLE * (costheta * costheta) / CP_TOTAL_MASS));
    const xacc = temp - CP_POLEMASS_LENGTH * thetaacc * costheta / CP_TOTAL_MASS;
    const nx = x + CP_TAU * xDot;
    const nxDot = xDot + CP_TAU * xacc;
    const nth = theta + CP_TAU * thetaDot;
    const nthDot = thetaDot + CP_TAU * thetaacc;
    store<f64>(state, nx); store<f64>(state, nxDot, 8); store<f64>(state, nth, 16); store<f64>(state, nthDot, 24);
    env_terminated = nx < -CP_X_THRESHOLD || nx > CP_X_THRESHOLD || nth < -CP_THETA_THRESHOLD || nth > CP_THETA_THRESHOLD ? 1 : 0;
    return 1.0; // also on the terminating step (Gymnasium); callers stop after it
  }
  if (envId == ENV_PENDULUM) {
    const th = load<f64>(state), thdot = load<f64>(state, 8);
    const u = action < -PD_MAX_TORQUE ? -PD_MAX_TORQUE : action > PD_MAX_TORQUE ? PD_MAX_TORQUE : action;
    const a = angleNormalize(th);
    const costs = a * a + 0.1 * (thdot * thdot) + 0.001 * (u * u);
    let newthdot = thdot + (3.0 * PD_G / (2.0 * 1.0) * det_sin(th) + 3.0 / (1.0 * (1.0 * 1.0)) * u) * PD_DT;
    newthdot = newthdot < -PD_MAX_SPEED ? -PD_MAX_SPEED : newthdot > PD_MAX_SPEED ? PD_MAX_SPEED : newthdot;
    store<f64>(state, th + newthdot * PD_DT);
    store<f64>(state, newthdot, 8);
    env_terminated = 0;
    return -costs;
  }
  // PointMass-v0: v ← v + dt·f; x ← x + dt·v; reward −x² (Spyx's cost, negated).
  const f = action < -PM_MAX_FORCE ? -PM_MAX_FORCE : action > PM_MAX_FORCE ? PM_MAX_FORCE : action;
  const v = load<f64>(state, 8) + PM_DT * f;
  const x = load<f64>(state) + PM_DT * v;
  store<f64>(state, x); store<f64>(state, v, 8);
  env_terminated = 0;
  return -(x * x);
}

/** Host-callable step for tests and the wasm-backed env: returns reward; out[0] = terminated. */
export function env_step_f64(envId: i32, state: usize, action: f64, out: usize): f64 {
  const r = env_step(envId, state, action);
  store<i32>(out, env_terminated);
  return r;
}

/** Host-callable observation: out[0..obsSize) f64. */
export function env_observe_f64(envId: i32, state: usize, out: usize): void {
  const n = env_obs_size(envId);
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), env_obs(envId, state, i));
}

// ---- CartPole for 8 lanes in f64x2 (es_eval_f32's CartPole path) ----------------------------
// f64x2 constants as pairs in a table: a v128.load with an immediate offset is one instruction,
// an f64x2 constant is three in V8 (movabs, movq, punpcklqdq), and once CSE has merged the
// copies of the chains below it is kept in a spilled register.
const CP2: usize = memory.data<f64>([
  INV_PIO2, INV_PIO2, 0.5, 0.5, 6755399441055744.0, 6755399441055744.0, 5e-324, 5e-324, //   0.. (1.5·2^52; i64 1)
  PIO2_HI, PIO2_HI, PIO2_LO, PIO2_LO, -0.0, -0.0, 0.0, 0.0,                             //  64.. (sign bit; free)
  0.0, 0.0, CP_TOTAL_MASS, CP_TOTAL_MASS, CP_POLEMASS_LENGTH, CP_POLEMASS_LENGTH, CP_TAU, CP_TAU, // 128.. (free; …)
  CP_GRAVITY, CP_GRAVITY, CP_LENGTH, CP_LENGTH, 4.0 / 3.0, 4.0 / 3.0, CP_MASSPOLE, CP_MASSPOLE, // 192..
  -CP_X_THRESHOLD, -CP_X_THRESHOLD, CP_X_THRESHOLD, CP_X_THRESHOLD,                     // 256..
  -CP_THETA_THRESHOLD, -CP_THETA_THRESHOLD, CP_THETA_THRESHOLD, CP_THETA_THRESHOLD,     // 288..
  CP_FORCE_MAG, CP_FORCE_MAG, -CP_FORCE_MAG, -CP_FORCE_MAG,                             // 320..
], 16);

/** The f64x2 forces of two lanes: +10 where the i64 lane mask is set (action 1), else −10. */
// @ts-ignore: decorator
@inline export function cartpole_force2(mask: v128): v128 {
  return v128.bitselect(v128.load(CP2, 320), v128.load(CP2, 336), mask);
}


/**
 * One CartPole-v1 step of a 4-lane group with structure-of-arrays f64 state at p (x at +0,
 * ẋ at +32, θ at +64, θ̇ at +96; lanes 0–1 at +0, lanes 2–3 at +16) and forces f0 (lanes 0–1),
 * f1 (lanes 2–3). Writes the group's i32x4 termination mask to term.
 *
 * Each f64x2 half performs the operations of env_step lane by lane (det_sin/det_cos =
 * reduction, sinPoly2/cosPoly2 and a branch-free quadrant select), so every lane equals it bit
 * for bit. The two halves are written out statement by statement side by side (suffixes 0, 1)
 * so their dependency chains (~140 cycles: two polynomials, three dependent divisions)
 * overlap. A function of its own, not inlined: V8 loads every table constant at the top of a
 * block and spills what does not fit in 16 registers; with four halves side by side inside the
 * evaluation loop, a third of the instructions were spill moves.
 */
export function cartpole_step4(p: usize, f0: v128, f1: v128, term: usize): void {
  const p0 = p, p1 = p + 16;
  const one = v128.load(POLY2);
  const x0 = v128.load(p0), xDot0 = v128.load(p0, 32), theta0 = v128.load(p0, 64), thetaDot0 = v128.load(p0, 96);
  const x1 = v128.load(p1), xDot1 = v128.load(p1, 32), theta1 = v128.load(p1, 64), thetaDot1 = v128.load(p1, 96);
  const k0 = f64x2.floor(f64x2.add(f64x2.mul(theta0, v128.load(CP2)), v128.load(CP2, 16)));
  const k1 = f64x2.floor(f64x2.add(f64x2.mul(theta1, v128.load(CP2)), v128.load(CP2, 16)));
  const r0 = f64x2.sub(f64x2.sub(theta0, f64x2.mul(k0, v128.load(CP2, 64))), f64x2.mul(k0, v128.load(CP2, 80)));
  const r1 = f64x2.sub(f64x2.sub(theta1, f64x2.mul(k1, v128.load(CP2, 64))), f64x2.mul(k1, v128.load(CP2, 80)));
  const z0 = f64x2.mul(r0, r0), w0 = f64x2.mul(z0, z0);
  const z1 = f64x2.mul(r1, r1), w1 = f64x2.mul(z1, z1);
  const sl0 = f64x2.add(v128.load(POLY2, 48), f64x2.mul(z0, f64x2.add(v128.load(POLY2, 64), f64x2.mul(z0, v128.load(POLY2, 80)))));
  const sl1 = f64x2.add(v128.load(POLY2, 48), f64x2.mul(z1, f64x2.add(v128.load(POLY2, 64), f64x2.mul(z1, v128.load(POLY2, 80)))));
  const sh0 = f64x2.mul(f64x2.mul(z0, w0), f64x2.add(v128.load(POLY2, 96), f64x2.mul(z0, v128.load(POLY2, 112))));
  const sh1 = f64x2.mul(f64x2.mul(z1, w1), f64x2.add(v128.load(POLY2, 96), f64x2.mul(z1, v128.load(POLY2, 112))));
  const sp0 = f64x2.add(r0, f64x2.mul(f64x2.mul(z0, r0), f64x2.add(v128.load(POLY2, 32), f64x2.mul(z0, f64x2.add(sl0, sh0)))));
  const sp1 = f64x2.add(r1, f64x2.mul(f64x2.mul(z1, r1), f64x2.add(v128.load(POLY2, 32), f64x2.mul(z1, f64x2.add(sl1, sh1)))));
  const cl0 = f64x2.mul(z0, f64x2.add(v128.load(POLY2, 128), f64x2.mul(z0, f64x2.add(v128.load(POLY2, 144), f64x2.mul(z0, v128.load(POLY2, 160))))));
  const cl1 = f64x2.mul(z1, f64x2.add(v128.load(POLY2, 128), f64x2.mul(z1, f64x2.add(v128.load(POLY2, 144), f64x2.mul(z1, v128.load(POLY2, 160))))));
  const ch0 = f64x2.mul(f64x2.mul(w0, w0), f64x2.add(v128.load(POLY2, 176), f64x2.mul(z0, f64x2.add(v128.load(POLY2, 192), f64x2.mul(z0, v128.load(POLY2, 208))))));
  const ch1 = f64x2.mul(f64x2.mul(w1, w1), f64x2.add(v128.load(POLY2, 176), f64x2.mul(z1, f64x2.add(v128.load(POLY2, 192), f64x2.mul(z1, v128.load(POLY2, 208))))));
  const hz0 = f64x2.mul(v128.load(POLY2, 16), z0), h0 = f64x2.sub(one, hz0);
  const hz1 = f64x2.mul(v128.load(POLY2, 16), z1), h1 = f64x2.sub(one, hz1);
  const c0 = f64x2.add(h0, f64x2.add(f64x2.sub(f64x2.sub(one, h0), hz0), f64x2.mul(z0, f64x2.add(cl0, ch0))));
  const c1 = f64x2.add(h1, f64x2.add(f64x2.sub(f64x2.sub(one, h1), hz1), f64x2.mul(z1, f64x2.add(cl1, ch1))));
  const ki0 = f64x2.add(k0, v128.load(CP2, 32)); // low bits: k mod 4 (two's complement)
  const ki1 = f64x2.add(k1, v128.load(CP2, 32)); // low bits: k mod 4 (two's complement)
  const odd0 = i64x2.eq(v128.and(ki0, v128.load(CP2, 48)), v128.load(CP2, 48)), hi0 = i64x2.shl(ki0, 62);
  const odd1 = i64x2.eq(v128.and(ki1, v128.load(CP2, 48)), v128.load(CP2, 48)), hi1 = i64x2.shl(ki1, 62);
  const sin0 = v128.xor(v128.bitselect(c0, sp0, odd0), v128.and(hi0, v128.load(CP2, 96)));
  const sin1 = v128.xor(v128.bitselect(c1, sp1, odd1), v128.and(hi1, v128.load(CP2, 96)));
  const cos0 = v128.xor(v128.bitselect(sp0, c0, odd0), v128.and(v128.xor(hi0, i64x2.shl(ki0, 63)), v128.load(CP2, 96)));
  const cos1 = v128.xor(v128.bitselect(sp1, c1, odd1), v128.and(v128.xor(hi1, i64x2.shl(ki1, 63)), v128.load(CP2, 96)));
  const temp0 = f64x2.div(f64x2.add(f0, f64x2.mul(f64x2.mul(v128.load(CP2, 160), f64x2.mul(thetaDot0, thetaDot0)), sin0)), v128.load(CP2, 144));
  const temp1 = f64x2.div(f64x2.add(f1, f64x2.mul(f64x2.mul(v128.load(CP2, 160), f64x2.mul(thetaDot1, thetaDot1)), sin1)), v128.load(CP2, 144));
  const den0 = f64x2.mul(v128.load(CP2, 208), f64x2.sub(v128.load(CP2, 224), f64x2.div(f64x2.mul(v128.load(CP2, 240), f64x2.mul(cos0, cos0)), v128.load(CP2, 144))));
  const den1 = f64x2.mul(v128.load(CP2, 208), f64x2.sub(v128.load(CP2, 224), f64x2.div(f64x2.mul(v128.load(CP2, 240), f64x2.mul(cos1, cos1)), v128.load(CP2, 144))));
  const thetaacc0 = f64x2.div(f64x2.sub(f64x2.mul(v128.load(CP2, 192), sin0), f64x2.mul(cos0, temp0)), den0);
  const thetaacc1 = f64x2.div(f64x2.sub(f64x2.mul(v128.load(CP2, 192), sin1), f64x2.mul(cos1, temp1)), den1);
  const xacc0 = f64x2.sub(temp0, f64x2.div(f64x2.mul(f64x2.mul(v128.load(CP2, 160), thetaacc0), cos0), v128.load(CP2, 144)));
  const xacc1 = f64x2.sub(temp1, f64x2.div(f64x2.mul(f64x2.mul(v128.load(CP2, 160), thetaacc1), cos1), v128.load(CP2, 144)));
  const nx0 = f64x2.add(x0, f64x2.mul(v128.load(CP2, 176), xDot0));
  const nx1 = f64x2.add(x1, f64x2.mul(v128.load(CP2, 176), xDot1));
  const nth0 = f64x2.add(theta0, f64x2.mul(v128.load(CP2, 176), thetaDot0));
  const nth1 = f64x2.add(theta1, f64x2.mul(v128.load(CP2, 176), thetaDot1));
  v128.store(p0, nx0);
  v128.store(p1, nx1);
  v128.store(p0, f64x2.add(xDot0, f64x2.mul(v128.load(CP2, 176), xacc0)), 32);
  v128.store(p1, f64x2.add(xDot1, f64x2.mul(v128.load(CP2, 176), xacc1)), 32);
  v128.store(p0, nth0, 64);
  v128.store(p1, nth1, 64);
  v128.store(p0, f64x2.add(thetaDot0, f64x2.mul(v128.load(CP2, 176), thetaacc0)), 96);
  v128.store(p1, f64x2.add(thetaDot1, f64x2.mul(v128.load(CP2, 176), thetaacc1)), 96);
  const t0 = v128.or(v128.or(f64x2.lt(nx0, v128.load(CP2, 256)), f64x2.gt(nx0, v128.load(CP2, 272))),
    v128.or(f64x2.lt(nth0, v128.load(CP2, 288)), f64x2.gt(nth0, v128.load(CP2, 304))));
  const t1 = v128.or(v128.or(f64x2.lt(nx1, v128.load(CP2, 256)), f64x2.gt(nx1, v128.load(CP2, 272))),
    v128.or(f64x2.lt(nth1, v128.load(CP2, 288)), f64x2.gt(nth1, v128.load(CP2, 304))));
  v128.store(term, v128.shuffle<i32>(t0, t1, 0, 2, 4, 6));
}

/** CartPole for 8 lanes: the groups at pa (forces f0, f1) and pb (f2, f3), masks to term, term + 16. */
// @ts-ignore: decorator
@inline export function cartpole_step8(pa: usize, pb: usize, f0: v128, f1: v128, f2: v128, f3: v128, term: usize): void {
  cartpole_step4(pa, f0, f1, term);
  cartpole_step4(pb, f2, f3, term + 16);
}

/**
 * Host entry of the 4-lane kernel (tests): structure-of-arrays state at p as cartpole_step4
 * reads it, actions i32[4] (0 or 1) at actions, termination flags i32[4] to term.
 */
export function cartpole_step4_soa(p: usize, actions: usize, term: usize): void {
  const a = v128.load(actions), push = i32x4.ne(a, i32x4.splat(0));
  cartpole_step4(p, cartpole_force2(i64x2.extend_low_i32x4_s(push)), cartpole_force2(i64x2.extend_high_i32x4_s(push)), term);
}
