// Evolution strategies with evosax's ask/tell shape over a plain, frozen state record
// (STYLE.md §2). Noise is never stored: member i of generation g is regenerated from
// (seed, g, i) by the counter-based generator (src/es/rng.ts), in the host for `ask`/`tell`
// and inside the wasm evaluator for fitness, so workers get seeds, not parameter vectors.
// Fitness is minimised by default, as in evosax; `maximize: true` flips it (returns).
import { SpikeletError } from '../errors.js';
import { noiseVector } from './rng.js';
import { memberParams } from './policy.js';

/** What an evaluator needs to regenerate a population (see src/es/evaluator.ts). */
export interface SampleSpec {
  readonly seed: number;
  readonly generation: number;
  readonly populationSize: number;
  readonly antithetic: boolean;
  readonly mean: Float64Array;
  /** Per-parameter σ (OpenES: one value repeated). */
  readonly sigma: Float64Array;
}

/** Fields every strategy state has. States are frozen; `tell` returns a new one. */
export interface StrategyState {
  readonly strategy: 'openes' | 'snes';
  readonly seed: number;
  readonly generation: number;
  readonly dims: number;
  readonly mean: Float64Array;
  /** Best member seen so far (in the caller's orientation: max if `maximize`). */
  readonly bestFitness: number;
  readonly bestParams: Float32Array | null;
}

/** An ask/tell strategy. */
export interface Strategy<S extends StrategyState = StrategyState> {
  readonly name: S['strategy'];
  readonly populationSize: number;
  readonly maximize: boolean;
  /**
   * Initial state.
   * @param seed Run seed (u32).
   * @param init Number of parameters (mean 0) or the initial mean.
   */
  init(seed: number, init: number | ArrayLike<number>): S;
  /** The population of the current generation, `[populationSize, dims]` row-major. */
  ask(state: S): { population: Float32Array; state: S };
  /** What an evaluator needs to regenerate the current population. */
  sample(state: S): SampleSpec;
  /**
   * Updates the state from the fitness of the current population. `population` may be
   * omitted: the noise is regenerated from the seeds (it is checked for shape when given).
   */
  tell(state: S, population: Float32Array | undefined, fitness: ArrayLike<number>): S;
}

/**
 * Centred ranks in [−0.5, 0.5]: rank/(N−1) − 0.5 with rank 0 the lowest (best when minimising);
 * NaN ranks last (worst). Ties broken by index.
 * @param fitness Values to rank (lower is better).
 */
export function centeredRanks(fitness: ArrayLike<number>): Float64Array {
  const n = fitness.length;
  const key = (i: number) => (Number.isNaN(fitness[i]) ? Infinity : fitness[i]);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    const d = key(a) - key(b);
    if (d !== 0 && !Number.isNaN(d)) return d;
    const na = Number.isNaN(fitness[a]), nb = Number.isNaN(fitness[b]);
    if (na !== nb) return na ? 1 : -1;
    return a - b;
  });
  const out = new Float64Array(n);
  order.forEach((i, r) => (out[i] = n > 1 ? r / (n - 1) - 0.5 : 0));
  return out;
}

function checkSeed(where: string, seed: number) {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new SpikeletError('invalid_param', where, 'seed', 'an integer in [0, 2^32)', seed);
}
function initMean(where: string, init: number | ArrayLike<number>): Float64Array {
  if (typeof init === 'number') {
    if (!Number.isInteger(init) || init < 1) throw new SpikeletError('invalid_param', where, 'dims', 'a positive integer', init);
    return new Float64Array(init);
  }
  const m = Float64Array.from(init);
  if (m.length === 0 || !m.every(Number.isFinite)) throw new SpikeletError('invalid_param', where, 'init', 'a non-empty array of finite numbers', init);
  return m;
}
function checkPopulation(where: string, n: unknown, antithetic: boolean): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 2 || n > 1 << 20) throw new SpikeletError('invalid_param', where, 'populationSize', 'an integer in [2, 2^20]', n);
  if (antithetic && n % 2 !== 0) throw new SpikeletError('invalid_param', where, 'populationSize', 'an even number (antithetic sampling pairs z with −z)', n);
  return n;
}
function pos(where: string, field: string, v: unknown, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (allowZero ? v < 0 : v <= 0)) {
    throw new SpikeletError('invalid_param', where, field, allowZero ? 'a finite number >= 0' : 'a finite number > 0', v);
  }
  return v;
}
function checkFitness(where: string, fitness: ArrayLike<number>, n: number, population: Float32Array | undefined, dims: number) {
  if (fitness.length !== n) throw new SpikeletError('shape_mismatch', where, 'fitness.length', `${n} (the population size)`, fitness.length);
  if (population && population.length !== n * dims) throw new SpikeletError('shape_mismatch', where, 'population.length', `${n * dims}`, population.length);
}
function population(spec: SampleSpec): Float32Array {
  const D = spec.mean.length;
  const out = new Float32Array(spec.populationSize * D);
  for (let i = 0; i < spec.populationSize; i++) {
    out.set(memberParams(spec.seed, spec.generation, i, spec.antithetic, spec.mean, spec.sigma), i * D);
  }
  return out;
}
/** Σ_i w_i·s_i·z_k(i) over the population (antithetic pairs share one noise vector). */
function weightedNoise(spec: SampleSpec, w: Float64Array, transform?: (z: number) => number): Float64Array {
  const D = spec.mean.length, g = new Float64Array(D), z = new Float64Array(D);
  const n = spec.populationSize;
  if (spec.antithetic) {
    for (let k = 0; k < n / 2; k++) {
      noiseVector(spec.seed, spec.generation, k, D, z);
      if (transform) {
        const wk = w[2 * k] + w[2 * k + 1];
        for (let d = 0; d < D; d++) g[d] += wk * transform(z[d]); // even function of z (z² − 1)
      } else {
        const wk = w[2 * k] - w[2 * k + 1];
        for (let d = 0; d < D; d++) g[d] += wk * z[d];
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      noiseVector(spec.seed, spec.generation, i, D, z);
      for (let d = 0; d < D; d++) g[d] += w[i] * (transform ? transform(z[d]) : z[d]);
    }
  }
  return g;
}
function bestOf(state: StrategyState, spec: SampleSpec, fitness: ArrayLike<number>, maximize: boolean) {
  let bi = -1, bf = state.bestFitness;
  for (let i = 0; i < fitness.length; i++) {
    const f = fitness[i];
    if (Number.isNaN(f)) continue;
    if (bi < 0 && Number.isNaN(bf) ? true : maximize ? f > bf : f < bf) { bi = i; bf = f; }
  }
  if (bi < 0) return { bestFitness: state.bestFitness, bestParams: state.bestParams };
  return { bestFitness: bf, bestParams: memberParams(spec.seed, spec.generation, bi, spec.antithetic, spec.mean, spec.sigma) };
}

/** Parameters of {@link OpenES}. */
export interface OpenESParams {
  readonly populationSize: number;
  /** Initial σ (> 0). */
  readonly sigma: number;
  /** σ ← max(sigmaMin, σ·sigmaDecay) after each generation (default 1, 0). */
  readonly sigmaDecay?: number;
  readonly sigmaMin?: number;
  /** Learning rate (default 0.01). */
  readonly learningRate?: number;
  /** `adam` (default; β1 0.9, β2 0.999, ε 1e-8, bias-corrected) or `sgd` (with momentum). */
  readonly optimizer?: 'adam' | 'sgd';
  /** SGD momentum (default 0.9). */
  readonly momentum?: number;
  /** L2 coefficient added to the gradient (decoupled from ranks): g += weightDecay·mean. */
  readonly weightDecay?: number;
  /** Mirrored sampling z, −z (default true; population must be even). */
  readonly antithetic?: boolean;
  /** Maximise fitness (default false: minimise, as evosax). */
  readonly maximize?: boolean;
}

/** State of {@link OpenES}. */
export interface OpenESState extends StrategyState {
  readonly strategy: 'openes';
  readonly sigma: number;
  /** Optimizer moments (Adam m, v; SGD uses m as velocity). */
  readonly m: Float64Array;
  readonly v: Float64Array;
}

/**
 * OpenAI-ES (Salimans et al. 2017) as evosax's Open_ES: x = mean + σ·z, mirrored sampling,
 * centred-rank fitness shaping, gradient ĝ = Σ rᵢ·εᵢ / (N·σ) with εᵢ = ±z, Adam or SGD step
 * on ĝ (+ weight decay), σ schedule.
 * @param p Hyper-parameters; typed errors for odd populations with antithetic sampling, σ ≤ 0, …
 * @example
 * const es = OpenES({ populationSize: 24, sigma: 0.3, learningRate: 0.1, maximize: true });
 * let s = es.init(0, 17);
 * const { population } = es.ask(s);
 * s = es.tell(s, population, fitnessOf(population));
 */
export function OpenES(p: OpenESParams): Strategy<OpenESState> {
  const where = 'OpenES';
  const antithetic = p.antithetic ?? true;
  const n = checkPopulation(where, p.populationSize, antithetic);
  const sigma0 = pos(where, 'sigma', p.sigma);
  const sigmaDecay = pos(where, 'sigmaDecay', p.sigmaDecay ?? 1);
  const sigmaMin = pos(where, 'sigmaMin', p.sigmaMin ?? 0, true);
  const lr = pos(where, 'learningRate', p.learningRate ?? 0.01);
  const optimizer = p.optimizer ?? 'adam';
  if (optimizer !== 'adam' && optimizer !== 'sgd') throw new SpikeletError('invalid_param', where, 'optimizer', '"adam" or "sgd"', optimizer);
  const momentum = pos(where, 'momentum', p.momentum ?? 0.9, true);
  const wd = pos(where, 'weightDecay', p.weightDecay ?? 0, true);
  const maximize = p.maximize ?? false;
  const spec = (s: OpenESState): SampleSpec => ({
    seed: s.seed, generation: s.generation, populationSize: n, antithetic, mean: s.mean,
    sigma: new Float64Array(s.dims).fill(s.sigma),
  });
  return {
    name: 'openes', populationSize: n, maximize,
    init(seed, init) {
      checkSeed(where, seed);
      const mean = initMean(where, init);
      const D = mean.length;
      return Object.freeze({
        strategy: 'openes' as const, seed, generation: 0, dims: D, mean, sigma: sigma0,
        m: new Float64Array(D), v: new Float64Array(D), bestFitness: NaN, bestParams: null,
      });
    },
    ask: (s) => ({ population: population(spec(s)), state: s }),
    sample: spec,
    tell(s, pop, fitness) {
      checkFitness(`${where}.tell`, fitness, n, pop, s.dims);
      const sp = spec(s);
      const f = Float64Array.from(fitness, (x) => (maximize ? -x : x));
      const ranks = centeredRanks(f);
      const g = weightedNoise(sp, ranks);
      const D = s.dims, t = s.generation + 1;
      const mean = s.mean.slice(), m = s.m.slice(), v = s.v.slice();
      for (let d = 0; d < D; d++) {
        const gd = g[d] / (n * s.sigma) + wd * s.mean[d];
        if (optimizer === 'adam') {
          m[d] = 0.9 * m[d] + 0.1 * gd;
          v[d] = 0.999 * v[d] + 0.001 * gd * gd;
          const mh = m[d] / (1 - 0.9 ** t), vh = v[d] / (1 - 0.999 ** t);
          mean[d] -= lr * mh / (Math.sqrt(vh) + 1e-8);
        } else {
          m[d] = momentum * m[d] + gd;
          mean[d] -= lr * m[d];
        }
      }
      return Object.freeze({
        ...s, ...bestOf(s, sp, fitness, maximize), generation: t, mean, m, v,
        sigma: Math.max(sigmaMin, s.sigma * sigmaDecay),
      });
    },
  };
}

/** Parameters of {@link SNES}. */
export interface SNESParams {
  /** Default 4 + ⌊3·ln D⌋ rounded up to even when antithetic (given at init time: required here). */
  readonly populationSize: number;
  /** Initial σ for every parameter (> 0). */
  readonly sigma: number;
  /** Mean learning rate (default 1). */
  readonly learningRateMean?: number;
  /** σ learning rate (default (3 + ln D) / (5·√D)). */
  readonly learningRateSigma?: number;
  /** Mirrored sampling (default false). */
  readonly antithetic?: boolean;
  readonly maximize?: boolean;
}

/** State of {@link SNES}. */
export interface SNESState extends StrategyState {
  readonly strategy: 'snes';
  readonly sigma: Float64Array;
}

/**
 * Separable NES (Schaul et al. 2011): per-parameter σ, rank-based utilities
 * uₖ = max(0, ln(N/2 + 1) − ln k) / Σ − 1/N (k = 1 best), μ += η_μ·σ⊙Σuᵢzᵢ,
 * σ ⊙= exp(η_σ/2·Σuᵢ(zᵢ² − 1)).
 * @param p Hyper-parameters.
 */
export function SNES(p: SNESParams): Strategy<SNESState> {
  const where = 'SNES';
  const antithetic = p.antithetic ?? false;
  const n = checkPopulation(where, p.populationSize, antithetic);
  const sigma0 = pos(where, 'sigma', p.sigma);
  const lrMean = pos(where, 'learningRateMean', p.learningRateMean ?? 1);
  if (p.learningRateSigma !== undefined) pos(where, 'learningRateSigma', p.learningRateSigma);
  const maximize = p.maximize ?? false;
  const util = new Float64Array(n);
  {
    let sum = 0;
    for (let k = 1; k <= n; k++) sum += util[k - 1] = Math.max(0, Math.log(n / 2 + 1) - Math.log(k));
    for (let k = 0; k < n; k++) util[k] = util[k] / sum - 1 / n;
  }
  const spec = (s: SNESState): SampleSpec => ({
    seed: s.seed, generation: s.generation, populationSize: n, antithetic, mean: s.mean, sigma: s.sigma,
  });
  return {
    name: 'snes', populationSize: n, maximize,
    init(seed, init) {
      checkSeed(where, seed);
      const mean = initMean(where, init);
      return Object.freeze({
        strategy: 'snes' as const, seed, generation: 0, dims: mean.length, mean,
        sigma: new Float64Array(mean.length).fill(sigma0), bestFitness: NaN, bestParams: null,
      });
    },
    ask: (s) => ({ population: population(spec(s)), state: s }),
    sample: spec,
    tell(s, pop, fitness) {
      checkFitness(`${where}.tell`, fitness, n, pop, s.dims);
      const sp = spec(s);
      const f = Float64Array.from(fitness, (x) => (maximize ? -x : x));
      const ranks = centeredRanks(f); // ascending: lowest (best) first
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ranks[a] - ranks[b]);
      const w = new Float64Array(n);
      order.forEach((i, k) => (w[i] = util[k]));
      const gMu = weightedNoise(sp, w);
      const gSigma = weightedNoise(sp, w, (z) => z * z - 1);
      const D = s.dims;
      const lrSigma = p.learningRateSigma ?? (3 + Math.log(D)) / (5 * Math.sqrt(D));
      const mean = s.mean.slice(), sigma = s.sigma.slice();
      for (let d = 0; d < D; d++) {
        mean[d] += lrMean * s.sigma[d] * gMu[d];
        sigma[d] = s.sigma[d] * Math.exp(lrSigma / 2 * gSigma[d]);
      }
      return Object.freeze({ ...s, ...bestOf(s, sp, fitness, maximize), generation: s.generation + 1, mean, sigma });
    },
  };
}
