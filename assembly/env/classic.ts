// Control environments stepped inside wasm, f64 state, one episode at a time per call.
// Constants, integrator order, termination and rewards follow Gymnasium's classic_control
// (CartPole-v1: cartpole.py, Euler integrator; Pendulum-v1: pendulum.py) and Spyx's 1-D
// point-mass task (spyx.experimental.zoo.control). Expressions are evaluated in the order
// Python evaluates them (left to right), so trajectories equal Gymnasium's to rounding of
// sin/cos (det_sin/det_cos, ≤ 2 ulp). src/envs/*.ts are the TypeScript twins (bit-equal).
// docs/environments.md describes how to add one.
//
// State layout (f64 [4]): CartPole [x, ẋ, θ, θ̇]; Pendulum [θ, θ̇, 0, 0]; PointMass [x, v, 0, 0].
import { det_cos, det_sin } from './trig';

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
