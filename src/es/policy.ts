// The evolved policy: obs·scale → Linear(in→H) → LIF(H) → Linear(H→out) → LI(out), its flat
// parameter layout, its NetworkSpec export, and a plain-JavaScript twin of the wasm rollout
// (the benchmark's baseline and the tests' reference: same operations in the same order with
// Math.fround after each f32 operation, so it equals the wasm kernel bit for bit).
import { SpikeletError } from '../errors.js';
import type { NetworkSpec } from '../runtime/network.js';
import { envDefinition, type EnvDefinition } from '../envs/classic.js';
import { noiseVector, resetUniforms } from './rng.js';
import type { EvalJob, EvalResult } from './evaluator.js';

/** Shape and neuron constants of the policy. */
export interface PolicyConfig {
  /** Hidden LIF neurons (default 32). */
  readonly hidden?: number;
  /** Network time step in seconds (default 0.001; one network step per environment step). */
  readonly dt?: number;
  /** Hidden LIF membrane time constant in seconds (default 0.002: α = 0.5). */
  readonly tauHidden?: number;
  /** LI readout time constant in seconds (default 0.002). */
  readonly tauOut?: number;
  /** Hidden threshold (default 1). */
  readonly vThreshold?: number;
  /** Continuous actions: action = readout · actionScale (default: the action bound, e.g. 2 for Pendulum). */
  readonly actionScale?: number;
  /** Per-observation scale (default: the environment's `observationScale`). */
  readonly observationScale?: readonly number[];
}

/** A validated policy with every default filled in. */
export interface Policy {
  readonly env: EnvDefinition;
  readonly inN: number;
  readonly hidden: number;
  readonly outN: number;
  readonly dims: number;
  readonly dt: number;
  readonly tauHidden: number;
  readonly tauOut: number;
  readonly vThreshold: number;
  readonly actionScale: number;
  readonly observationScale: Float32Array;
  /** f32[16] constants of the wasm kernel (α1 β1 γ1 th1 vr1 α2 β2 γ2 actionScale obsScale[4]). */
  readonly consts: Float32Array;
}

function positive(where: string, field: string, v: unknown, dflt: number): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) throw new SpikeletError('invalid_param', where, field, 'a finite number > 0', v);
  return x;
}

/**
 * Validates a policy configuration for an environment.
 * @param envName Registered environment name.
 * @param cfg Policy options.
 * @throws SpikeletError for an unknown environment or a bad field.
 */
export function makePolicy(envName: string, cfg: PolicyConfig = {}): Policy {
  const env = envDefinition(envName);
  const where = 'makePolicy';
  const hidden = cfg.hidden ?? 32;
  if (!Number.isInteger(hidden) || hidden < 1 || hidden > 4096) throw new SpikeletError('invalid_param', where, 'hidden', 'an integer in [1, 4096]', cfg.hidden);
  const inN = env.observationSize;
  if (inN > 4) throw new SpikeletError('unsupported', where, 'env.observationSize', 'at most 4 (the wasm kernel reads 4 observation scales)', inN);
  const outN = env.actionSpace.type === 'discrete' ? env.actionSpace.n : 1;
  if (outN > 4) throw new SpikeletError('unsupported', where, 'env.actionSpace.n', 'at most 4 actions', outN);
  if (env.actionSpace.type === 'discrete' && outN !== 2) throw new SpikeletError('unsupported', where, 'env.actionSpace.n', '2 (argmax of two readouts)', outN);
  const dt = positive(where, 'dt', cfg.dt, 1e-3);
  const tauHidden = positive(where, 'tauHidden', cfg.tauHidden, 2 * dt);
  const tauOut = positive(where, 'tauOut', cfg.tauOut, 2 * dt);
  if (tauHidden < dt) throw new SpikeletError('invalid_param', where, 'tauHidden', `>= dt (${dt})`, tauHidden);
  if (tauOut < dt) throw new SpikeletError('invalid_param', where, 'tauOut', `>= dt (${dt})`, tauOut);
  const vThreshold = positive(where, 'vThreshold', cfg.vThreshold, 1);
  const bound = env.actionSpace.type === 'box' ? Math.max(Math.abs(env.actionSpace.low), Math.abs(env.actionSpace.high)) : 1;
  const actionScale = positive(where, 'actionScale', cfg.actionScale, Math.min(bound, 2));
  const sc = cfg.observationScale ?? env.observationScale;
  if (!Array.isArray(sc) || sc.length !== inN || !sc.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new SpikeletError('invalid_param', where, 'observationScale', `${inN} finite numbers`, sc);
  }
  const observationScale = Float32Array.from(sc);
  const k1 = dt / tauHidden, k2 = dt / tauOut;
  const consts = new Float32Array(16);
  consts.set([1 - k1, k1, 0, vThreshold, 0, 1 - k2, k2, 0, actionScale]);
  consts.set(observationScale, 9);
  const dims = hidden * inN + hidden + outN * hidden + outN;
  return { env, inN, hidden, outN, dims, dt, tauHidden, tauOut, vThreshold, actionScale, observationScale, consts };
}

/**
 * The float NetworkSpec of a parameter vector (layout W1 [H,in], b1, W2 [out,H], b2). Its
 * inputs are observations times `policy.observationScale`.
 * @param policy The policy.
 * @param params `policy.dims` parameters.
 */
export function policyNetwork(policy: Policy, params: ArrayLike<number>): NetworkSpec {
  if (params.length !== policy.dims) throw new SpikeletError('shape_mismatch', 'policyNetwork', 'params.length', `${policy.dims}`, params.length);
  const { inN, hidden: H, outN } = policy;
  const p = Float32Array.from(params);
  const o1 = H * inN, o2 = o1 + H, o3 = o2 + outN * H;
  return {
    inputSize: inN, dt: policy.dt,
    layers: [
      { type: 'linear', outFeatures: H, weight: p.slice(0, o1), bias: Array.from(p.subarray(o1, o2)) },
      { type: 'lif', tau: policy.tauHidden, vThreshold: policy.vThreshold, reset: 'subtract' },
      { type: 'linear', outFeatures: outN, weight: p.slice(o2, o3), bias: Array.from(p.subarray(o3)) },
      { type: 'li', tau: policy.tauOut },
    ],
  };
}

/**
 * Parameters of member `i` of a sampled population, x = f32(mean + σ ⊙ (s·z_k)), exactly as the
 * wasm kernel forms them (antithetic: k = i >> 1, s = ±1 for even/odd i).
 */
export function memberParams(seed: number, generation: number, i: number, antithetic: boolean,
                             mean: Float64Array, sigma: Float64Array): Float32Array {
  const k = antithetic ? i >> 1 : i;
  const s = antithetic && (i & 1) !== 0 ? -1.0 : 1.0;
  const z = noiseVector(seed, generation, k, mean.length);
  const out = new Float32Array(mean.length);
  for (let d = 0; d < mean.length; d++) out[d] = mean[d] + sigma[d] * (s * z[d]);
  return out;
}

/**
 * Plain-JavaScript evaluation of a job: the same algorithm as the wasm kernel, one member and
 * one neuron at a time with no SIMD (Math.fround after every f32 operation). Results equal
 * `es_eval_f32`'s bit for bit.
 * @param job The job (any source).
 */
export function evaluateJs(job: EvalJob): EvalResult {
  const def = envByWasmId(job.env);
  const { inN, hidden: H, outN, dims: D, episodes: E, maxSteps: T, count } = job;
  const f = Math.fround;
  const c = job.consts;
  const [a1, b1c, g1, th, vr, a2, b2c, g2, actionScale] = c;
  const drop = f(th - vr);
  const fitness = new Float64Array(count), steps = new Float64Array(count);
  const v = new Float32Array(H), x = new Float32Array(inN), o = new Float32Array(outN), acc = new Float32Array(outN);
  const obs = new Float64Array(def.observationSize);
  const o1 = H * inN, o2 = o1 + H, o3 = o2 + outN * H;
  const starts = Array.from({ length: E }, (_, e) => def.reset(resetUniforms(job.seed, job.resetGeneration, e)));
  // Noise source: an antithetic pair (members 2k, 2k + 1) shares z_k, drawn once (as the kernel).
  let zk = -1, z: Float64Array = new Float64Array(0);
  const noisy = new Float32Array(D);
  for (let m = 0; m < count; m++) {
    const idx = job.first + m;
    let p: Float32Array;
    if (job.source === 1) p = job.rows!.subarray(m * D, (m + 1) * D);
    else if (job.source === 2) p = Float32Array.from(job.mean!);
    else {
      const k = job.antithetic ? idx >> 1 : idx;
      const s = job.antithetic && (idx & 1) !== 0 ? -1.0 : 1.0;
      if (k !== zk) { z = noiseVector(job.seed, job.generation, k, D); zk = k; }
      const mean = job.mean!, sigma = job.sigma!;
      for (let d = 0; d < D; d++) noisy[d] = mean[d] + sigma[d] * (s * z[d]); // = memberParams(…)
      p = noisy;
    }
    let ret = 0, n = 0;
    for (let e = 0; e < E; e++) {
      const s = starts[e].slice();
      v.fill(0); o.fill(0);
      for (let t = 0; t < T; t++) {
        def.observe(s, obs);
        for (let i = 0; i < inN; i++) x[i] = f(f(obs[i]) * c[9 + i]);
        acc.fill(0);
        for (let h = 0; h < H; h++) {
          let a = f(p[h * inN] * x[0]);
          for (let i = 1; i < inN; i++) a = f(a + f(p[h * inN + i] * x[i]));
          const cur = f(a + p[o1 + h]);
          const u = f(f(f(v[h] * a1) + f(cur * b1c)) + g1);
          const fire = u > th;
          v[h] = fire ? f(u - drop) : u;
          for (let k = 0; k < outN; k++) acc[k] = f(acc[k] + (fire ? p[o2 + k * H + h] : 0));
        }
        for (let k = 0; k < outN; k++) o[k] = f(f(f(o[k] * a2) + f(f(acc[k] + p[o3 + k]) * b2c)) + g2);
        const action = def.actionSpace.type === 'discrete' ? (o[1] > o[0] ? 1 : 0) : o[0] * actionScale;
        const r = def.step(s, action);
        ret += r.reward;
        n++;
        if (r.terminated && !job.ignoreTermination) break;
      }
    }
    fitness[m] = ret * (1.0 / E);
    steps[m] = n;
  }
  return { fitness, steps };
}

function envByWasmId(id: number): EnvDefinition {
  for (const name of ['CartPole-v1', 'Pendulum-v1', 'PointMass-v0']) {
    const d = envDefinition(name);
    if (d.wasmId === id) return d;
  }
  throw new SpikeletError('unsupported', 'evaluateJs', 'env', 'a wasm environment id (0, 1, 2)', id);
}
