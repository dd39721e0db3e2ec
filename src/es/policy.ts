// The evolved policy: obs·scale → Linear(in→H) → LIF(H) → Linear(H→out) → LI(out), its flat
// parameter layout, its NetworkSpec export, and a plain-JavaScript twin of the wasm rollout
// (the benchmark's baseline and the tests' reference: same operations in the same order with
// Math.fround after each f32 operation, so it equals the wasm kernel bit for bit).
import { SpikeletError } from '../errors.js';
import type { NetworkSpec } from '../runtime/network.js';
import { envDefinition, type EnvDefinition } from '../envs/classic.js';
import { noiseVector, resetUniforms } from './rng.js';
import { checkEvalJob } from './job-check.js';
import type { EvalJob, EvalResult } from './evaluator.js';
import { clamp, roundHalfEven } from '../quant/rounding.js';
import { THRESHOLD_I16 } from '../quant/quantize.js';

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
  /** f64[16] quantization constants of the int8 evaluation mode, input scale 1/127 (`int8Constants`). */
  readonly int8Quant: Float64Array;
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
  const base = { env, inN, hidden, outN, dims, dt, tauHidden, tauOut, vThreshold, actionScale, observationScale, consts };
  return { ...base, int8Quant: int8Constants(base) };
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
 * Parameters of the job's members in order, as the kernel forms them: a row, the mean, or
 * mean + σ·(±z_k) with an antithetic pair (members 2k, 2k + 1) sharing z_k, drawn once
 * (equal to `memberParams`). The returned array is reused by the next call.
 */
function memberSource(job: EvalJob, D: number): (m: number) => Float32Array {
  let zk = -1, z: Float64Array = new Float64Array(0);
  const noisy = new Float32Array(D);
  return (m) => {
    if (job.source === 1) return job.rows!.subarray(m * D, (m + 1) * D);
    if (job.source === 2) return Float32Array.from(job.mean!);
    const idx = job.first + m;
    const k = job.antithetic ? idx >> 1 : idx;
    const s = job.antithetic && (idx & 1) !== 0 ? -1.0 : 1.0;
    if (k !== zk) { z = noiseVector(job.seed, job.generation, k, D); zk = k; }
    const mean = job.mean!, sigma = job.sigma!;
    for (let d = 0; d < D; d++) noisy[d] = mean[d] + sigma[d] * (s * z[d]);
    return noisy;
  };
}

/**
 * Plain-JavaScript evaluation of a job: the same algorithm as the wasm kernel, one member and
 * one neuron at a time with no SIMD (Math.fround after every f32 operation). Results equal
 * `es_eval_f32`'s bit for bit.
 * @param job The job (any source).
 */
export function evaluateJs(job: EvalJob): EvalResult {
  const def = checkEvalJob(job, 'evaluateJs');
  if (job.precision === 'int8') return evaluateJsInt8(job, def);
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
  const paramsOf = memberSource(job, D);
  for (let m = 0; m < count; m++) {
    const p = paramsOf(m);
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

// ---- int8 deployment mode (the twin of es_eval_f32 with cfg 15 = 1, assembly/es/rollout.ts) ----

/**
 * f64[16] quantization constants of the int8 evaluation mode (`EvalJob.quant`): the
 * member-independent part of `quantizeNetwork(policyNetwork(policy, x), { inputScale })`.
 * @param policy The policy (CartPole-shaped: 4 inputs, 2 readouts).
 * @param inputScale Value of one int8 input step (default 1/127, the quantizer's default).
 */
export function int8Constants(policy: Pick<Policy, 'dt' | 'tauHidden' | 'tauOut' | 'vThreshold'>, inputScale = 1 / 127): Float64Array {
  if (!(typeof inputScale === 'number' && Number.isFinite(inputScale) && inputScale > 0)) {
    throw new SpikeletError('invalid_param', 'int8Constants', 'inputScale', 'a finite number > 0', inputScale);
  }
  // cellConstants (src/runtime/cells.ts): α = 1 − dt/τ, β = dt/τ (r = 1), γ = 0 (v_leak = 0).
  const k1 = policy.dt / policy.tauHidden, k2 = policy.dt / policy.tauOut;
  const a1 = 1 - k1, a2 = 1 - k2;
  const q15 = (a: number) => clamp(roundHalfEven(a * 32768), 0, 32767);
  const q = new Float64Array(16);
  q.set([k1, inputScale, policy.vThreshold / THRESHOLD_I16, q15(a1), k2, q15(a2), 1 / Math.max(1 - a2, 1e-3), 0,
    Math.fround(1 / inputScale)]);
  return q;
}

/** ceil(log2(x)) exactly as `Math.ceil(Math.log2(x))` for normal x > 0 (the kernel's formula). */
export function ceilLog2(x: number): number {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  const hi = b.getUint32(0), lo = b.getUint32(4);
  const n = ((hi >>> 20) & 0x7ff) - 1023;
  if ((hi & 0xfffff) === 0 && lo === 0) return n;
  b.setUint32(0, (hi & 0xfffff) | 0x3ff00000);
  const delta = b.getFloat64(0) - 1;
  if (delta < 9.5367431640625e-7 && n + delta * 1.4426950408889634 === n) return n;
  return n + 1;
}

/** One member's int8 deployment (the per-member part of quantizeNetwork for this policy). */
export interface Int8Member {
  readonly w1: Int8Array; readonly m1: Float64Array; readonly s1: number; readonly bias1: Float64Array;
  readonly w2: Int8Array; readonly m2: Float64Array; readonly s2: number; readonly bias2: Float64Array;
  /** LI readout units (f64; the kernel dequantizes with f32(unit)). */
  readonly unit2: Float64Array;
}

function multipliers(real: Float64Array): { m: Float64Array; s: number } {
  let max = 0;
  for (const r of real) max = Math.max(max, Math.abs(r));
  const s = max > 0 ? clamp(30 - ceilLog2(max), 1, 62) : 1;
  return { m: Float64Array.from(real, (r) => clamp(Math.round(r * 2 ** s), -(2 ** 31 - 1), 2 ** 31 - 1)), s };
}

/**
 * Quantizes one member's f32 parameters as the kernel does — quantize.ts's formulas for
 * Linear(4→H)+LIF, Linear(H→2)+LI (per-output-channel int8 weights, multipliers, biases, LI units).
 */
export function quantizeMember(p: Float32Array, inN: number, H: number, outN: number, q: Float64Array): Int8Member {
  const [beta1, sx, unit1, , beta2, , steady2, absG2] = q;
  const o1 = H * inN, o2 = o1 + H, o3 = o2 + outN * H;
  const w1 = new Int8Array(H * inN), real1 = new Float64Array(H), bias1 = new Float64Array(H);
  for (let o = 0; o < H; o++) {
    let m = 0;
    for (let i = 0; i < inN; i++) m = Math.max(m, Math.abs(p[o * inN + i]));
    const scale = m > 0 ? m / 127 : 1;
    for (let i = 0; i < inN; i++) w1[o * inN + i] = clamp(roundHalfEven(p[o * inN + i] / scale), -127, 127);
    real1[o] = beta1 * scale * sx / unit1;
    bias1[o] = clamp(roundHalfEven(beta1 * p[o1 + o] / unit1), -(2 ** 30), 2 ** 30);
  }
  const w2 = new Int8Array(outN * H), real2 = new Float64Array(outN), bias2 = new Float64Array(outN), unit2 = new Float64Array(outN);
  for (let k = 0; k < outN; k++) {
    let m = 0;
    for (let h = 0; h < H; h++) m = Math.max(m, Math.abs(p[o2 + k * H + h]));
    const scale = m > 0 ? m / 127 : 1;
    let drive = Math.abs(p[o3 + k]);
    for (let h = 0; h < H; h++) {
      w2[k * H + h] = clamp(roundHalfEven(p[o2 + k * H + h] / scale), -127, 127);
      drive += Math.abs(p[o2 + k * H + h]);
    }
    const bound = (Math.abs(beta2) * drive + absG2) * steady2;
    unit2[k] = bound > 0 ? bound / 32767 : 1 / 32767;
    real2[k] = beta2 * scale / unit2[k];
    bias2[k] = clamp(roundHalfEven(beta2 * p[o3 + k] / unit2[k]), -(2 ** 30), 2 ** 30);
  }
  const r1 = multipliers(real1), r2 = multipliers(real2);
  return { w1, m1: r1.m, s1: r1.s, bias1, w2, m2: r2.m, s2: r2.s, bias2, unit2 };
}

const sat16 = (x: number) => (x > 32767 ? 32767 : x < -32768 ? -32768 : x);
const q15mulr = (a: number, b: number) => clamp(Math.floor((a * b + 0x4000) / 32768), -32768, 32767);
/** sat16(((acc·M + 2^(S−1)) >> S) + bias), exact (|acc·M| < 2^53). */
const requant = (acc: number, m: number, s: number, bias: number) => sat16(Math.floor((acc * m + 2 ** (s - 1)) / 2 ** s) + bias);

/**
 * Plain-JavaScript twin of the int8 evaluation mode: every member quantized (`quantizeMember`)
 * and run as the integer model of src/reference/integer-model.ts, one member and one neuron at
 * a time. Equals the kernel bit for bit (test/es-eval.test.ts). `def`: the job's environment
 * (CartPole: checkEvalJob admits int8 for it only).
 */
function evaluateJsInt8(job: EvalJob, def: EnvDefinition): EvalResult {
  const { inN, hidden: H, outN, dims: D, episodes: E, maxSteps: T, count } = job;
  const f = Math.fround;
  const c = job.consts, q = job.quant!;
  const decay1 = q[3], decay2 = q[5], inv = f(q[8]);
  const fitness = new Float64Array(count), steps = new Float64Array(count);
  const v = new Int16Array(H), xq = new Int32Array(inN), o = new Int16Array(outN), acc = new Int32Array(outN);
  const obs = new Float64Array(def.observationSize);
  const starts = Array.from({ length: E }, (_, e) => def.reset(resetUniforms(job.seed, job.resetGeneration, e)));
  const paramsOf = memberSource(job, D);
  for (let m = 0; m < count; m++) {
    const p = paramsOf(m);
    const qm = quantizeMember(p, inN, H, outN, q);
    const u0 = f(qm.unit2[0]), u1 = f(qm.unit2[1]);
    let ret = 0, n = 0;
    for (let e = 0; e < E; e++) {
      const s = starts[e].slice();
      v.fill(0); o.fill(0);
      for (let t = 0; t < T; t++) {
        def.observe(s, obs);
        for (let i = 0; i < inN; i++) xq[i] = clamp(roundHalfEven(f(f(f(obs[i]) * c[9 + i]) * inv)), -127, 127);
        acc.fill(0);
        for (let h = 0; h < H; h++) {
          let a = 0;
          for (let i = 0; i < inN; i++) a += qm.w1[h * inN + i] * xq[i];
          const cur = requant(a, qm.m1[h], qm.s1, qm.bias1[h]);
          let u = sat16(q15mulr(v[h], decay1) + cur);
          const fire = u > THRESHOLD_I16;
          if (fire) u = sat16(u - THRESHOLD_I16);
          v[h] = u;
          if (fire) for (let k = 0; k < outN; k++) acc[k] += qm.w2[k * H + h];
        }
        for (let k = 0; k < outN; k++) o[k] = sat16(q15mulr(o[k], decay2) + requant(acc[k], qm.m2[k], qm.s2, qm.bias2[k]));
        const action = f(o[1] * u1) > f(o[0] * u0) ? 1 : 0;
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
