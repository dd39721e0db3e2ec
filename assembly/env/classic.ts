// Control environments stepped inside wasm, f64 state, one episode at a time per call.
// Constants, integrator order, termination and rewards follow Gymnasium's classic_control
// (CartPole-v1: cartpole.py, Euler integrator; Pendulum-v1: pendulum.py) and Spyx's 1-D
// point-mass task (spyx.experimental.zoo.control). Expressions are evaluated in the order
// Python evaluates them (left to right), so trajectories equal Gymnasium's to rounding of
// sin/cos (det_sin/det_cos, ≤ 2 ulp). src/envs/*.ts are the TypeScript twins (bit-equal).
// docs/environments.md describes how to add one.
//
// State layout (f64 [4]): CartPole [x, ẋ, θ, θ̇]; Pendulum [θ, θ̇, 0, 0]; PointMass [x, v, 0, 0].
import { det_cos, det_sin, sinPoly2, cosPoly2, reduce2 } from './trig';

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

/**
 * CartPole-v1 for two lanes at once (f64x2), structure-of-arrays state at p: x at p, ẋ at p+32,
 * θ at p+64, θ̇ at p+96 (so p and p+16 are the two halves of a 4-lane group). Same operations
 * per lane as env_step, so each lane equals it bit for bit. Returns the termination mask.
 * `scratch` is 16 bytes of memory for the quadrant.
 */
export function cartpole_step2(p: usize, force: v128, scratch: usize): v128 {
  const x = v128.load(p), xDot = v128.load(p, 32), theta = v128.load(p, 64), thetaDot = v128.load(p, 96);
  const r = reduce2(theta, scratch);
  const q = v128.load(scratch);
  const sp = sinPoly2(r), cp = cosPoly2(r);
  const q1 = f64x2.eq(q, f64x2.splat(1.0)), q2 = f64x2.eq(q, f64x2.splat(2.0)), q3 = f64x2.eq(q, f64x2.splat(3.0));
  const odd = v128.or(q1, q3);
  const sb = v128.bitselect(cp, sp, odd), cb = v128.bitselect(sp, cp, odd);
  const sintheta = v128.bitselect(f64x2.neg(sb), sb, v128.or(q2, q3));
  const costheta = v128.bitselect(f64x2.neg(cb), cb, v128.or(q1, q2));
  const tm = f64x2.splat(CP_TOTAL_MASS), pml = f64x2.splat(CP_POLEMASS_LENGTH), tau = f64x2.splat(CP_TAU);
  const temp = f64x2.div(f64x2.add(force, f64x2.mul(f64x2.mul(pml, f64x2.mul(thetaDot, thetaDot)), sintheta)), tm);
  const thetaacc = f64x2.div(
    f64x2.sub(f64x2.mul(f64x2.splat(CP_GRAVITY), sintheta), f64x2.mul(costheta, temp)),
    f64x2.mul(f64x2.splat(CP_LENGTH), f64x2.sub(f64x2.splat(4.0 / 3.0),
      f64x2.div(f64x2.mul(f64x2.splat(CP_MASSPOLE), f64x2.mul(costheta, costheta)), tm))));
  const xacc = f64x2.sub(temp, f64x2.div(f64x2.mul(f64x2.mul(pml, thetaacc), costheta), tm));
  const nx = f64x2.add(x, f64x2.mul(tau, xDot));
  const nth = f64x2.add(theta, f64x2.mul(tau, thetaDot));
  v128.store(p, nx);
  v128.store(p, f64x2.add(xDot, f64x2.mul(tau, xacc)), 32);
  v128.store(p, nth, 64);
  v128.store(p, f64x2.add(thetaDot, f64x2.mul(tau, thetaacc)), 96);
  const xt = f64x2.splat(CP_X_THRESHOLD), tt = f64x2.splat(CP_THETA_THRESHOLD);
  return v128.or(v128.or(f64x2.lt(nx, f64x2.neg(xt)), f64x2.gt(nx, xt)), v128.or(f64x2.lt(nth, f64x2.neg(tt)), f64x2.gt(nth, tt)));
}
