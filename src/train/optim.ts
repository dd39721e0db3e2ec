// Optimizers over the engine's flat parameter vector: SGD (momentum, Nesterov), Adam, AdamW,
// global-norm gradient clipping and learning-rate schedules. Every update runs in wasm, one
// call per parameter segment (tr_adam_f32 / tr_sgd_f32); the host only computes scalars
// (bias corrections, the scheduled learning rate, the clipping factor).
import { SpikeletError } from '../errors.js';
import type { TrainEngine } from './engine.js';

/** Learning-rate schedule, a function of the optimizer step (0-based) and the total steps. */
export type ScheduleSpec =
  | { readonly type: 'constant' }
  | { readonly type: 'step'; readonly every: number; readonly gamma: number }
  | { readonly type: 'exponential'; readonly gamma: number }
  | { readonly type: 'cosine'; readonly minLr?: number };

/** Optimizer configuration. */
export interface OptimizerSpec {
  /** `adam` (default), `adamw` or `sgd`. */
  readonly type?: 'adam' | 'adamw' | 'sgd';
  /** Learning rate (default 1e-3 for Adam/AdamW, 1e-2 for SGD). */
  readonly lr?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** L2 (Adam, SGD) or decoupled (AdamW) weight decay on weights (not biases, β, θ). Default 0 (AdamW 0.01). */
  readonly weightDecay?: number;
  /** SGD momentum μ (default 0) and Nesterov. */
  readonly momentum?: number;
  readonly nesterov?: boolean;
  /** Rescale gradients whose global L2 norm exceeds this (default: no clipping). */
  readonly clipNorm?: number;
  /** Schedule (default constant); `every` counts optimizer steps. */
  readonly schedule?: ScheduleSpec;
  /** Linear warm-up over this many steps (default 0). */
  readonly warmupSteps?: number;
}

function num(field: string, v: unknown, dflt: number, ok: (x: number) => boolean, expected: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new SpikeletError('invalid_param', 'train', `optimizer.${field}`, expected, v);
  return v;
}

/** A validated optimizer spec with defaults filled in. */
export type ResolvedOptimizer = Required<Omit<OptimizerSpec, 'clipNorm'>> & { clipNorm: number };

/**
 * Checks an optimizer spec.
 * @throws SpikeletError for unknown types, a learning rate ≤ 0, decays outside [0, 1), ...
 */
export function checkOptimizer(o: OptimizerSpec | undefined): ResolvedOptimizer {
  const s = o ?? {};
  const type = s.type ?? 'adam';
  if (type !== 'adam' && type !== 'adamw' && type !== 'sgd') throw new SpikeletError('invalid_param', 'train', 'optimizer.type', 'adam | adamw | sgd', type);
  const unit = (x: number) => x >= 0 && x < 1;
  const sched = s.schedule ?? { type: 'constant' };
  const st = (sched as { type?: unknown }).type;
  if (st === 'step') {
    num('schedule.every', (sched as { every: number }).every, NaN, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
    num('schedule.gamma', (sched as { gamma: number }).gamma, NaN, (x) => x > 0, 'a number > 0');
  } else if (st === 'exponential') {
    num('schedule.gamma', (sched as { gamma: number }).gamma, NaN, (x) => x > 0, 'a number > 0');
  } else if (st === 'cosine') {
    num('schedule.minLr', (sched as { minLr?: number }).minLr, 0, (x) => x >= 0, 'a number >= 0');
  } else if (st !== 'constant') {
    throw new SpikeletError('invalid_param', 'train', 'optimizer.schedule.type', 'constant | step | exponential | cosine', st);
  }
  return {
    type,
    lr: num('lr', s.lr, type === 'sgd' ? 1e-2 : 1e-3, (x) => x > 0, 'a learning rate > 0'),
    beta1: num('beta1', s.beta1, 0.9, unit, 'a number in [0, 1)'),
    beta2: num('beta2', s.beta2, 0.999, unit, 'a number in [0, 1)'),
    eps: num('eps', s.eps, 1e-8, (x) => x > 0, 'a number > 0'),
    weightDecay: num('weightDecay', s.weightDecay, type === 'adamw' ? 0.01 : 0, (x) => x >= 0, 'a number >= 0'),
    momentum: num('momentum', s.momentum, 0, unit, 'a number in [0, 1)'),
    nesterov: s.nesterov ?? false,
    clipNorm: num('clipNorm', s.clipNorm, Infinity, (x) => x > 0, 'a number > 0'),
    schedule: sched,
    warmupSteps: num('warmupSteps', s.warmupSteps, 0, (x) => Number.isInteger(x) && x >= 0, 'an integer >= 0'),
  };
}

/**
 * The learning rate at optimizer step `step` of `total`.
 * @param o A resolved optimizer.
 * @param step 0-based step.
 * @param total Total steps of the run (for cosine).
 */
export function learningRate(o: ResolvedOptimizer, step: number, total: number): number {
  let lr = o.lr;
  const s = o.schedule;
  if (s.type === 'step') lr *= Math.pow(s.gamma, Math.floor(step / s.every));
  else if (s.type === 'exponential') lr *= Math.pow(s.gamma, step);
  else if (s.type === 'cosine') {
    const minLr = s.minLr ?? 0;
    const f = Math.min(1, step / Math.max(1, total));
    lr = minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * f));
  }
  if (o.warmupSteps > 0 && step < o.warmupSteps) lr *= (step + 1) / o.warmupSteps;
  return lr;
}

/**
 * Optimizer state (moments) in wasm memory beside the engine's parameters, and the update.
 * @example
 * ```ts
 * const opt = new Optimizer(engine, checkOptimizer({ type: 'adam', lr: 2e-3, clipNorm: 1 }));
 * engine.forward(); ...; engine.backward();
 * opt.step(totalSteps);
 * ```
 */
export class Optimizer {
  readonly engine: TrainEngine;
  readonly spec: ResolvedOptimizer;
  /** Optimizer steps taken. */
  t = 0;
  private readonly m: number;
  private readonly v: number;

  constructor(engine: TrainEngine, spec: ResolvedOptimizer) {
    this.engine = engine;
    this.spec = spec;
    this.m = engine.rt.alloc(engine.size * 4);
    this.v = spec.type === 'sgd' ? 0 : engine.rt.alloc(engine.size * 4);
  }

  /** Global L2 norm of the trainable gradients. */
  gradNorm(): number {
    const k = this.engine.rt.kernels as unknown as Record<string, (...a: number[]) => number>;
    let s = 0;
    for (const g of this.engine.segments) if (g.trainable) s += k.tr_sumsq_f32(this.engine.grads + g.offset * 4, g.size);
    return Math.sqrt(s);
  }

  /**
   * One update from the engine's gradients: clip, schedule, update each trainable segment,
   * clamp β and θ, refresh the backward weight copies.
   * @param total Total steps of the run (for the cosine schedule).
   * @returns The learning rate used and the gradient norm before clipping.
   */
  step(total: number): { lr: number; gradNorm: number } {
    const e = this.engine, o = this.spec;
    const k = e.rt.kernels as unknown as Record<string, (...a: number[]) => number>;
    const norm = this.gradNorm();
    if (!Number.isFinite(norm)) return { lr: 0, gradNorm: norm }; // leave parameters untouched
    if (Number.isFinite(o.clipNorm) && norm > o.clipNorm) {
      const f = o.clipNorm / (norm + 1e-12);
      for (const g of e.segments) if (g.trainable) k.tr_scale_f32(e.grads + g.offset * 4, g.size, f);
    }
    const lr = learningRate(o, this.t, total);
    this.t++;
    const bc1 = 1 - Math.pow(o.beta1, this.t), bc2 = 1 - Math.pow(o.beta2, this.t);
    for (const g of e.segments) {
      if (!g.trainable) continue;
      const off = g.offset * 4;
      const wd = g.decay ? o.weightDecay : 0;
      if (o.type === 'sgd') {
        k.tr_sgd_f32(e.params + off, e.grads + off, this.m + off, g.size, lr, o.momentum, wd, o.nesterov ? 1 : 0, this.t === 1 ? 1 : 0);
      } else {
        k.tr_adam_f32(e.params + off, e.grads + off, this.m + off, this.v + off, g.size, lr, o.beta1, o.beta2, o.eps, wd, bc1, bc2,
          o.type === 'adamw' ? 1 : 0);
      }
      if (g.clamp) k.tr_clamp_f32(e.params + off, g.size, g.clamp[0], Math.min(g.clamp[1], 3.4e38));
    }
    e.syncWeights();
    return { lr, gradNorm: norm };
  }

  /** Moments as one array (checkpoints): [m, v]. */
  getState(): Float32Array {
    const f = this.engine.rt.view().f32, n = this.engine.size;
    const out = new Float32Array(2 * n);
    out.set(f.subarray(this.m >> 2, (this.m >> 2) + n), 0);
    if (this.v) out.set(f.subarray(this.v >> 2, (this.v >> 2) + n), n);
    return out;
  }

  /** Restores moments saved by {@link getState} and the step count. */
  setState(state: Float32Array, t: number): void {
    const f = this.engine.rt.view().f32, n = this.engine.size;
    if (state.length !== 2 * n) throw new SpikeletError('shape_mismatch', 'Optimizer.setState', 'state.length', `${2 * n}`, state.length);
    f.set(state.subarray(0, n), this.m >> 2);
    if (this.v) f.set(state.subarray(n), this.v >> 2);
    this.t = t;
  }
}
