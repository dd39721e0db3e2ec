// TypeScript twins of the wasm environments (assembly/env/classic.ts), and the Gymnasium-shaped
// host API. The twins evaluate the same expressions in the same order with the same
// deterministic sin/cos, so a trajectory here equals the wasm one bit for bit, and equals
// Gymnasium's (float64 state, float64 actions) to rounding of sin/cos.
import { SpikeletError } from '../errors.js';
import { resetUniforms } from '../es/rng.js';
import { detCos, detSin } from './trig.js';

/** What actions an environment accepts. */
export type ActionSpace =
  | { readonly type: 'discrete'; readonly n: number }
  | { readonly type: 'box'; readonly low: number; readonly high: number };

/**
 * An environment definition: pure functions over an f64 state vector. Register new ones with
 * {@link registerEnv} (docs/environments.md).
 */
export interface EnvDefinition {
  /** Gymnasium-style id, e.g. `CartPole-v1`. */
  readonly name: string;
  /** Id of the wasm twin in assembly/env/classic.ts, or undefined (JS evaluation only). */
  readonly wasmId?: number;
  readonly stateSize: number;
  readonly observationSize: number;
  readonly actionSpace: ActionSpace;
  /** Truncation: episodes end after this many steps. */
  readonly maxEpisodeSteps: number;
  /** Return threshold at which the task counts as solved (Gymnasium's reward_threshold). */
  readonly rewardThreshold?: number;
  /** Scale applied to each observation before a policy sees it (maps typical values to ~[−1, 1]). */
  readonly observationScale: readonly number[];
  /** Initial state from 4 uniforms in [0, 1). */
  reset(u: ArrayLike<number>): Float64Array;
  /** Observation of a state (f64; the host API returns it as float32, as Gymnasium does). */
  observe(state: Float64Array, out?: Float64Array): Float64Array;
  /** Advances `state` in place by one step with a valid action; returns reward and termination. */
  step(state: Float64Array, action: number): { reward: number; terminated: boolean };
}

// CartPole-v1 constants (gymnasium/envs/classic_control/cartpole.py).
const CP_GRAVITY = 9.8;
const CP_MASSPOLE = 0.1;
const CP_TOTAL_MASS = 0.1 + 1.0;
const CP_LENGTH = 0.5;
const CP_POLEMASS_LENGTH = 0.1 * 0.5;
const CP_FORCE_MAG = 10.0;
const CP_TAU = 0.02;
const CP_THETA_THRESHOLD = 12.0 * 2.0 * Math.PI / 360.0;
const CP_X_THRESHOLD = 2.4;
// Pendulum-v1 (pendulum.py), g = 10.
const PD_MAX_SPEED = 8.0;
const PD_MAX_TORQUE = 2.0;
const PD_DT = 0.05;
const PD_G = 10.0;
// PointMass-v0 (Spyx zoo control recipe; the force bound is ours).
const PM_DT = 0.1;
const PM_MAX_FORCE = 10.0;

/** CartPole-v1: Gymnasium constants, Euler integrator, termination at |x| > 2.4 or |θ| > 12°. */
export const CARTPOLE_V1: EnvDefinition = {
  name: 'CartPole-v1', wasmId: 0, stateSize: 4, observationSize: 4,
  actionSpace: { type: 'discrete', n: 2 }, maxEpisodeSteps: 500, rewardThreshold: 475,
  observationScale: [0.5, 0.5, 5, 0.5],
  reset: (u) => Float64Array.from({ length: 4 }, (_, i) => -0.05 + 0.1 * u[i]),
  observe: (s, out = new Float64Array(4)) => (out.set(s.subarray(0, 4)), out),
  step(s, action) {
    const x = s[0], xDot = s[1], theta = s[2], thetaDot = s[3];
    const force = action === 1 ? CP_FORCE_MAG : -CP_FORCE_MAG;
    const costheta = detCos(theta), sintheta = detSin(theta);
    const temp = (force + CP_POLEMASS_LENGTH * (thetaDot * thetaDot) * sintheta) / CP_TOTAL_MASS;
    const thetaacc = (CP_GRAVITY * sintheta - costheta * temp) /
      (CP_LENGTH * (4.0 / 3.0 - CP_MASSPOLE * (costheta * costheta) / CP_TOTAL_MASS));
    const xacc = temp - CP_POLEMASS_LENGTH * thetaacc * costheta / CP_TOTAL_MASS;
    s[0] = x + CP_TAU * xDot;
    s[1] = xDot + CP_TAU * xacc;
    s[2] = theta + CP_TAU * thetaDot;
    s[3] = thetaDot + CP_TAU * thetaacc;
    const terminated = s[0] < -CP_X_THRESHOLD || s[0] > CP_X_THRESHOLD || s[2] < -CP_THETA_THRESHOLD || s[2] > CP_THETA_THRESHOLD;
    return { reward: 1.0, terminated };
  },
};

function angleNormalize(x: number): number {
  const y = x + Math.PI;
  let m = y % (2.0 * Math.PI);
  if (m !== 0 && m < 0) m += 2.0 * Math.PI;
  return m - Math.PI;
}

/** Pendulum-v1: g = 10, dt 0.05, torque clipped to ±2, speed to ±8, 200-step truncation. */
export const PENDULUM_V1: EnvDefinition = {
  name: 'Pendulum-v1', wasmId: 1, stateSize: 2, observationSize: 3,
  actionSpace: { type: 'box', low: -PD_MAX_TORQUE, high: PD_MAX_TORQUE }, maxEpisodeSteps: 200,
  observationScale: [1, 1, 0.125],
  reset: (u) => Float64Array.of(-Math.PI + (2.0 * Math.PI) * u[0], -1.0 + 2.0 * u[1]),
  observe: (s, out = new Float64Array(3)) => {
    out[0] = detCos(s[0]); out[1] = detSin(s[0]); out[2] = s[1];
    return out;
  },
  step(s, action) {
    const th = s[0], thdot = s[1];
    const u = action < -PD_MAX_TORQUE ? -PD_MAX_TORQUE : action > PD_MAX_TORQUE ? PD_MAX_TORQUE : action;
    const a = angleNormalize(th);
    const costs = a * a + 0.1 * (thdot * thdot) + 0.001 * (u * u);
    let newthdot = thdot + (3.0 * PD_G / (2.0 * 1.0) * detSin(th) + 3.0 / (1.0 * (1.0 * 1.0)) * u) * PD_DT;
    newthdot = newthdot < -PD_MAX_SPEED ? -PD_MAX_SPEED : newthdot > PD_MAX_SPEED ? PD_MAX_SPEED : newthdot;
    s[0] = th + newthdot * PD_DT;
    s[1] = newthdot;
    return { reward: -costs, terminated: false };
  },
};

/**
 * PointMass-v0, the 1-D point-mass task of Spyx's zoo (control-lif-es): state (x, v), initial
 * x, v ~ U(−1, 1), semi-implicit Euler with dt = 0.1 (v ← v + dt·f, then x ← x + dt·v),
 * reward −x² after the update, 20-step episodes. Force in [−10, 10] (Spyx leaves it unbounded).
 */
export const POINTMASS_V0: EnvDefinition = {
  name: 'PointMass-v0', wasmId: 2, stateSize: 2, observationSize: 2,
  actionSpace: { type: 'box', low: -PM_MAX_FORCE, high: PM_MAX_FORCE }, maxEpisodeSteps: 20,
  observationScale: [1, 1],
  reset: (u) => Float64Array.of(-1.0 + 2.0 * u[0], -1.0 + 2.0 * u[1]),
  observe: (s, out = new Float64Array(2)) => (out[0] = s[0], out[1] = s[1], out),
  step(s, action) {
    const f = action < -PM_MAX_FORCE ? -PM_MAX_FORCE : action > PM_MAX_FORCE ? PM_MAX_FORCE : action;
    const v = s[1] + PM_DT * f;
    const x = s[0] + PM_DT * v;
    s[0] = x; s[1] = v;
    return { reward: -(x * x), terminated: false };
  },
};

const REGISTRY = new Map<string, EnvDefinition>([
  [CARTPOLE_V1.name, CARTPOLE_V1], [PENDULUM_V1.name, PENDULUM_V1], [POINTMASS_V0.name, POINTMASS_V0],
]);

/**
 * Adds an environment to the registry used by {@link makeEnv} and the ES recipes.
 * @param def The definition (its `name` must be new).
 */
export function registerEnv(def: EnvDefinition): void {
  if (REGISTRY.has(def.name)) throw new SpikeletError('invalid_param', 'registerEnv', 'name', 'a name not yet registered', def.name);
  REGISTRY.set(def.name, def);
}

/**
 * Looks an environment definition up by name.
 * @param name e.g. `CartPole-v1`.
 * @throws SpikeletError (`unsupported`) for an unknown name.
 */
export function envDefinition(name: string): EnvDefinition {
  const d = REGISTRY.get(name);
  if (!d) throw new SpikeletError('unsupported', 'makeEnv', 'name', `one of ${[...REGISTRY.keys()].join(', ')}`, name);
  return d;
}

/** Names of every registered environment. */
export function envNames(): string[] {
  return [...REGISTRY.keys()];
}

/** Options of {@link makeEnv}. */
export interface MakeEnvOptions {
  /** Overrides the definition's truncation length. */
  readonly maxEpisodeSteps?: number;
}

/** Result of {@link Env.step}, as Gymnasium's 5-tuple without `info`. */
export interface EnvStep {
  readonly observation: Float32Array;
  readonly reward: number;
  readonly terminated: boolean;
  readonly truncated: boolean;
}

/** A running environment instance (Gymnasium's shape). */
export interface Env {
  readonly definition: EnvDefinition;
  /** The f64 state (a copy). */
  readonly state: Float64Array;
  /**
   * Starts an episode. With `state`, starts exactly there; otherwise draws the initial state
   * from the reset stream of `seed` (Philox; not numpy's generator, so seeds differ from
   * Gymnasium's but the distribution is the same).
   */
  reset(seed?: number, state?: ArrayLike<number>): Float32Array;
  /** Advances one step; throws a SpikeletError for an action outside the action space. */
  step(action: number): EnvStep;
}

/**
 * Creates an environment: `reset(seed?, state?)` → observation, `step(action)` →
 * `{ observation, reward, terminated, truncated }`.
 * @param name A registered id: `CartPole-v1`, `Pendulum-v1`, `PointMass-v0`, or your own.
 * @param options Truncation override.
 * @example
 * const env = makeEnv('CartPole-v1');
 * let obs = env.reset(0);
 * const { reward, terminated } = env.step(1);
 */
export function makeEnv(name: string, options: MakeEnvOptions = {}): Env {
  const def = envDefinition(name);
  const limit = options.maxEpisodeSteps ?? def.maxEpisodeSteps;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new SpikeletError('invalid_param', 'makeEnv', 'maxEpisodeSteps', 'a positive integer', limit);
  }
  let s: Float64Array | undefined;
  let elapsed = 0;
  let beyond = -1; // steps after termination (Gymnasium's steps_beyond_terminated)
  let episode = 0;
  const obs = () => Float32Array.from(def.observe(s!));
  return {
    definition: def,
    get state() {
      if (!s) throw new SpikeletError('state', `${name}.state`, 'state', 'reset() before reading the state', undefined);
      return s.slice();
    },
    reset(seed?: number, state?: ArrayLike<number>) {
      if (state !== undefined) {
        if (state.length !== def.stateSize) {
          throw new SpikeletError('shape_mismatch', `${name}.reset`, 'state.length', `${def.stateSize}`, state.length);
        }
        for (let i = 0; i < state.length; i++) {
          if (!Number.isFinite(state[i])) throw new SpikeletError('invalid_param', `${name}.reset`, `state[${i}]`, 'a finite number', state[i]);
        }
        s = Float64Array.from(state);
      } else {
        if (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)) {
          throw new SpikeletError('invalid_param', `${name}.reset`, 'seed', 'an integer in [0, 2^32)', seed);
        }
        s = def.reset(resetUniforms(seed ?? 0, 0xffffffff, seed === undefined ? episode++ : 0));
      }
      elapsed = 0;
      beyond = -1;
      return obs();
    },
    step(action: number) {
      if (!s) throw new SpikeletError('state', `${name}.step`, 'state', 'reset() before step()', undefined);
      const sp = def.actionSpace;
      const ok = typeof action === 'number' && (sp.type === 'discrete'
        ? Number.isInteger(action) && action >= 0 && action < sp.n
        : Number.isFinite(action) && action >= sp.low && action <= sp.high);
      if (!ok) {
        const want = sp.type === 'discrete' ? `an integer in [0, ${sp.n - 1}]` : `a number in [${sp.low}, ${sp.high}]`;
        throw new SpikeletError('invalid_param', `${name}.step`, 'action', want, action);
      }
      let { reward, terminated } = def.step(s, action);
      if (beyond >= 0) {
        beyond++;
        reward = 0; // Gymnasium: stepping past termination earns nothing (undefined behaviour)
        terminated = true;
      } else if (terminated) {
        beyond = 0;
      }
      elapsed++;
      return { observation: obs(), reward, terminated, truncated: elapsed >= limit };
    },
  };
}
