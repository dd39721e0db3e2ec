// An ES run: ask → evaluate in wasm (this thread or workers) → tell, with progress reports,
// checkpoints of the strategy state (atomic: write a temporary file, then rename) and resume
// that continues exactly as an uninterrupted run would (every random number derives from
// (seed, generation, member), and the state carries the optimizer moments).
import { SpikeletError } from '../errors.js';
import type { NetworkSpec } from '../runtime/network.js';
import { createEvaluator, type EvalJob, type Evaluator } from './evaluator.js';
import { int8Constants, makePolicy, policyNetwork, type Policy, type PolicyConfig } from './policy.js';
import { OpenES, SNES, type OpenESParams, type SNESParams, type Strategy, type StrategyState } from './strategies.js';

/** Everything that defines a run (JSON-serialisable: the CLI reads it from a file). */
export interface EvolveConfig {
  /** Registered environment name. */
  readonly env: string;
  readonly policy?: PolicyConfig;
  readonly strategy?: 'openes' | 'snes';
  /** Strategy hyper-parameters (`maximize` is forced to true: fitness is the mean return). */
  readonly strategyParams: Omit<OpenESParams, 'maximize'> | Omit<SNESParams, 'maximize'>;
  /** Episodes per member per generation (default 1); all members share their start states. */
  readonly episodes?: number;
  readonly generations: number;
  readonly seed?: number;
  /** Standard deviation of the initial mean (default 0: start from zeros). */
  readonly initStd?: number;
  /**
   * Stop early once the mean policy's return averaged over `targetEpisodes` fresh episodes
   * reaches `target` (checked when the generation's mean return reaches it).
   */
  readonly target?: number;
  readonly targetEpisodes?: number;
  /**
   * Fitness evaluation precision (default `f32`). `int8`: every member is evaluated as its int8
   * deployment (quantized per member in wasm by quantize.ts's rules; CartPole only). The target
   * check and `evalReturn` use the same precision.
   */
  readonly precision?: 'f32' | 'int8';
  /** int8: value of one int8 input step (default 1/127, the quantizer's default). */
  readonly inputScale?: number;
}

/** Run options that do not change results. */
export interface EvolveOptions {
  /** Worker threads (0 = this thread; results are identical for every count). */
  readonly workers?: number;
  /** Directory for `checkpoint.json` (Node only). */
  readonly checkpointDir?: string;
  /** Write a checkpoint every this many generations (default 1). */
  readonly checkpointEvery?: number;
  /** Continue from `checkpointDir/checkpoint.json` if it exists. */
  readonly resume?: boolean;
  /** Called after every generation. */
  readonly onProgress?: (p: EvolveProgress) => void;
  /**
   * Use this evaluator instead of creating one (not closed by `evolve`). Several runs may share
   * one pool at once: each gets its own results, and the workers stay busy between generations.
   */
  readonly evaluator?: Evaluator;
}

/** One generation's report. */
export interface EvolveProgress {
  readonly generation: number;
  readonly generations: number;
  /** Mean / max member fitness (mean return) of this generation. */
  readonly meanFitness: number;
  readonly maxFitness: number;
  /** Return of the strategy's mean on this generation's episodes. */
  readonly centerFitness: number;
  readonly sigma: number;
  /** Member evaluations (episodes) per second this generation. */
  readonly episodesPerSecond: number;
  readonly elapsedSeconds: number;
}

/** Result of {@link evolve}. */
export interface EvolveResult {
  readonly config: EvolveConfig;
  readonly state: StrategyState;
  readonly history: readonly EvolveProgress[];
  /** Best parameters: the strategy mean with the highest target-check (or center) return. */
  readonly params: Float32Array;
  /** Mean return of `params` over `targetEpisodes` fresh episodes (NaN if never checked). */
  readonly evalReturn: number;
  readonly solved: boolean;
  readonly network: NetworkSpec;
  readonly policy: Policy;
  readonly seconds: number;
}

/** Builds the strategy a config names. */
export function strategyOf(cfg: EvolveConfig): Strategy {
  const kind = cfg.strategy ?? 'openes';
  if (kind === 'openes') return OpenES({ ...(cfg.strategyParams as OpenESParams), maximize: true }) as unknown as Strategy;
  if (kind === 'snes') return SNES({ ...(cfg.strategyParams as SNESParams), maximize: true }) as unknown as Strategy;
  throw new SpikeletError('invalid_param', 'evolve', 'strategy', '"openes" or "snes"', kind);
}

/** Generation id of the evaluation episodes (never used for training). */
export const EVAL_GENERATION = 0x7fffffff;

/**
 * Evaluates one parameter vector (or the mean) over `episodes` episodes in wasm.
 * @returns Mean return.
 */
export async function evaluateParams(ev: Evaluator, policy: Policy, params: ArrayLike<number>, episodes: number,
                                     seed: number, resetGeneration = EVAL_GENERATION,
                                     precision: Pick<EvalJob, 'precision' | 'quant'> = {}): Promise<number> {
  const job: EvalJob = {
    env: policy.env.wasmId!, inN: policy.inN, hidden: policy.hidden, outN: policy.outN, dims: policy.dims,
    episodes, maxSteps: policy.env.maxEpisodeSteps, first: 0, count: 1, antithetic: false, seed, generation: 0,
    resetGeneration, source: 1, rows: Float32Array.from(params), consts: policy.consts, ...precision,
  };
  return (await ev.evaluate(job)).fitness[0];
}

interface Checkpoint {
  readonly format: 'spikelet-es-checkpoint';
  readonly version: 1;
  readonly config: EvolveConfig;
  readonly state: unknown;
  readonly history: EvolveProgress[];
  readonly params: number[];
  readonly evalReturn: number | null;
}

/** JSON form of a state: typed arrays become tagged number lists (exact: shortest round-trip). */
export function serializeState(s: StrategyState): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v instanceof Float64Array) out[k] = { f64: Array.from(v) };
    else if (v instanceof Float32Array) out[k] = { f32: Array.from(v) };
    else if (typeof v === 'number' && !Number.isFinite(v)) out[k] = { num: String(v) };
    else out[k] = v;
  }
  return out;
}

/** Inverse of {@link serializeState}. */
export function deserializeState(o: unknown): StrategyState {
  if (o === null || typeof o !== 'object') throw new SpikeletError('bad_file', 'resume', 'state', 'an object', o);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    const t = v as { f64?: number[]; f32?: number[]; num?: string } | null;
    if (t && typeof t === 'object' && Array.isArray(t.f64)) out[k] = Float64Array.from(t.f64);
    else if (t && typeof t === 'object' && Array.isArray(t.f32)) out[k] = Float32Array.from(t.f32);
    else if (t && typeof t === 'object' && typeof t.num === 'string') out[k] = Number(t.num);
    else out[k] = v;
  }
  return Object.freeze(out) as unknown as StrategyState;
}

async function nodeFs() {
  const fs = 'node:fs/promises', path = 'node:path';
  return { fs: await import(/* @vite-ignore */ fs), path: await import(/* @vite-ignore */ path) };
}

/** Writes `checkpoint.json` atomically (temporary file + rename). */
async function writeCheckpoint(dir: string, c: Checkpoint): Promise<void> {
  const { fs, path } = await nodeFs();
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'checkpoint.json');
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(c));
  await fs.rename(tmp, file);
}

async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  const { fs, path } = await nodeFs();
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, 'checkpoint.json'), 'utf8');
  } catch {
    return undefined;
  }
  const c = JSON.parse(text) as Checkpoint;
  if (c?.format !== 'spikelet-es-checkpoint') throw new SpikeletError('bad_file', 'resume', 'format', '"spikelet-es-checkpoint"', c?.format);
  return c;
}

function checkConfig(cfg: EvolveConfig): void {
  const where = 'evolve';
  if (!Number.isInteger(cfg.generations) || cfg.generations < 1) throw new SpikeletError('invalid_param', where, 'generations', 'a positive integer', cfg.generations);
  const e = cfg.episodes ?? 1;
  if (!Number.isInteger(e) || e < 1) throw new SpikeletError('invalid_param', where, 'episodes', 'a positive integer', cfg.episodes);
  const seed = cfg.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new SpikeletError('invalid_param', where, 'seed', 'an integer in [0, 2^32)', seed);
  const p = cfg.precision ?? 'f32';
  if (p !== 'f32' && p !== 'int8') throw new SpikeletError('invalid_param', where, 'precision', '"f32" or "int8"', cfg.precision);
}

/** The EvalJob fields of the configured precision. */
function precisionFields(cfg: EvolveConfig, policy: Policy): Pick<EvalJob, 'precision' | 'quant'> {
  if ((cfg.precision ?? 'f32') === 'f32') return {};
  if (policy.env.actionSpace.type !== 'discrete' || policy.inN !== 4 || policy.outN !== 2) {
    throw new SpikeletError('unsupported', 'evolve', 'precision', "'int8' with CartPole-shaped tasks (4 observations, 2 actions) only", cfg.env);
  }
  return { precision: 'int8', quant: int8Constants(policy, cfg.inputScale ?? 1 / 127) };
}

/**
 * Runs an evolution strategy on a control task with the LIF policy, evaluated in wasm.
 * @param cfg What to run (results depend only on this).
 * @param opts Workers, checkpoints, progress.
 * @example
 * const r = await evolve({ env: 'CartPole-v1', policy: { hidden: 32 }, generations: 50,
 *   strategyParams: { populationSize: 256, sigma: 0.1, learningRate: 0.03 }, target: 475 });
 */
export async function evolve(cfg: EvolveConfig, opts: EvolveOptions = {}): Promise<EvolveResult> {
  checkConfig(cfg);
  const policy = makePolicy(cfg.env, cfg.policy);
  if (policy.env.wasmId === undefined) throw new SpikeletError('unsupported', 'evolve', 'env', 'an environment with a wasm twin', cfg.env);
  const es = strategyOf(cfg);
  const prec = precisionFields(cfg, policy);
  const seed = cfg.seed ?? 0;
  const episodes = cfg.episodes ?? 1;
  const targetEpisodes = cfg.targetEpisodes ?? 100;
  const every = opts.checkpointEvery ?? 1;
  const t0 = performance.now();
  let state: StrategyState;
  let history: EvolveProgress[] = [];
  let best: Float32Array | undefined;
  let bestReturn = NaN;
  const resumed = opts.resume && opts.checkpointDir ? await readCheckpoint(opts.checkpointDir) : undefined;
  if (resumed) {
    if (JSON.stringify(resumed.config) !== JSON.stringify(cfg)) {
      throw new SpikeletError('invalid_param', 'resume', 'config', 'the configuration the checkpoint was written with', cfg);
    }
    state = deserializeState(resumed.state);
    history = resumed.history;
    best = Float32Array.from(resumed.params);
    bestReturn = resumed.evalReturn ?? NaN;
  } else {
    let init: number | Float64Array = policy.dims;
    if (cfg.initStd) {
      const { noiseVector } = await import('./rng.js');
      init = noiseVector(seed, 0xfffffffe, 0, policy.dims).map((z) => z * cfg.initStd!);
    }
    state = es.init(seed, init);
  }
  const ev = opts.evaluator ?? await createEvaluator(opts.workers ?? 0);
  let solved = false;
  try {
    const base = {
      env: policy.env.wasmId, inN: policy.inN, hidden: policy.hidden, outN: policy.outN, dims: policy.dims,
      episodes, maxSteps: policy.env.maxEpisodeSteps, consts: policy.consts, ...prec,
    };
    while (state.generation < cfg.generations && !solved) {
      const t = performance.now();
      const spec = es.sample(state);
      const [pop, center] = await Promise.all([
        ev.evaluate({ ...base, first: 0, count: spec.populationSize, antithetic: spec.antithetic, seed: spec.seed,
          generation: spec.generation, resetGeneration: spec.generation, source: 0, mean: spec.mean, sigma: spec.sigma }),
        ev.evaluate({ ...base, first: 0, count: 1, antithetic: false, seed: spec.seed, generation: spec.generation,
          resetGeneration: spec.generation, source: 2, mean: spec.mean }),
      ]);
      const centerFitness = center.fitness[0];
      if (cfg.target !== undefined && centerFitness >= cfg.target) {
        const r = await evaluateParams(ev, policy, Float32Array.from(spec.mean), targetEpisodes, seed, EVAL_GENERATION, prec);
        if (!(r <= bestReturn)) { bestReturn = r; best = Float32Array.from(spec.mean); }
        solved = r >= cfg.target;
      }
      if (best === undefined) best = Float32Array.from(spec.mean);
      if (!solved) state = es.tell(state, undefined, pop.fitness);
      let sum = 0, max = -Infinity;
      for (const f of pop.fitness) { sum += f; max = Math.max(max, f); }
      const sec = (performance.now() - t) / 1000;
      const sigma = spec.sigma.reduce((a, b) => a + b, 0) / spec.sigma.length;
      const p: EvolveProgress = {
        generation: spec.generation + 1, generations: cfg.generations, meanFitness: sum / pop.fitness.length,
        maxFitness: max, centerFitness, sigma, episodesPerSecond: (spec.populationSize + 1) * episodes / sec,
        elapsedSeconds: (performance.now() - t0) / 1000,
      };
      history.push(p);
      opts.onProgress?.(p);
      if (opts.checkpointDir && (state.generation % every === 0 || solved || state.generation >= cfg.generations)) {
        await writeCheckpoint(opts.checkpointDir, {
          format: 'spikelet-es-checkpoint', version: 1, config: cfg, state: serializeState(state), history,
          params: Array.from(best), evalReturn: Number.isNaN(bestReturn) ? null : bestReturn,
        });
      }
    }
    if (cfg.target === undefined || Number.isNaN(bestReturn)) {
      best = Float32Array.from(state.mean);
      bestReturn = await evaluateParams(ev, policy, best, targetEpisodes, seed, EVAL_GENERATION, prec);
      // The training-episode check never fired, but the final policy may still meet the target
      // on the evaluation episodes: report what was measured.
      if (cfg.target !== undefined) solved = bestReturn >= cfg.target;
    }
  } finally {
    if (!opts.evaluator) await ev.close();
  }
  return {
    config: cfg, state, history, params: best!, evalReturn: bestReturn, solved: solved || (cfg.target !== undefined && bestReturn >= cfg.target),
    network: policyNetwork(policy, best!), policy, seconds: (performance.now() - t0) / 1000,
  };
}
