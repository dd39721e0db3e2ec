// The trainable model: a stack of layers, each a Linear/Affine synapse (optionally with
// recurrent weights) driving one cell. Parameters are discrete-time (snnTorch/Spyx style:
// decay β per step, threshold θ); export (export.ts) maps them to NIR's τ, r in seconds.
// Validation happens here, before any memory is laid out or any work is done.
import { SpikeletError } from '../errors.js';
import { fillPerNeuron, type PerNeuronValue } from '../util/per-neuron.js';
import { seededRandom } from '../util/random.js';
import { resolveSurrogate, type ResolvedSurrogate, type SurrogateSpec } from './surrogates.js';

/** Cell of a training layer. */
export type TrainCell = 'lif' | 'if' | 'cubalif' | 'alif' | 'li';
/**
 * When a neuron fires and resets (docs/training.md §Spike order):
 * `spikelet` (= `norse`, the deployment Plan's order): fire from the updated membrane, reset in
 * the same step; `snntorch`: the reset is subtracted at the next step, undecayed; `spyx`: fire
 * from the membrane before the update.
 */
export type SpikeOrder = 'spikelet' | 'norse' | 'snntorch' | 'spyx';
/** Per-layer number or per-neuron values. */
export type PerNeuronInit = PerNeuronValue;

/** One layer of a {@link TrainModelSpec}. */
export interface TrainLayerSpec {
  /** Number of neurons. */
  readonly size: number;
  /** Cell type (default `lif`; the last layer is usually `li`, the non-spiking readout). */
  readonly cell?: TrainCell;
  /** Recurrent all-to-all weights (spikes at t feed t+1). Default false. */
  readonly recurrent?: boolean;
  /** Affine (with bias, default) or Linear (bias fixed at 0). */
  readonly bias?: boolean;
  /** Membrane decay per step β = 1 − dt/τ (default 0.9; IF: 1). */
  readonly beta?: PerNeuronInit;
  /** CuBaLIF synaptic decay per step (default 0.8). */
  readonly betaSyn?: PerNeuronInit;
  /** Threshold θ (default 1). */
  readonly threshold?: PerNeuronInit;
  /** Train β per neuron (clamped to [0, 1] after each step). Default false. */
  readonly learnBeta?: boolean;
  /** Train θ per neuron (clamped to ≥ 1e-3). Default false. */
  readonly learnThreshold?: boolean;
  /** `subtract` (default) or `zero`. */
  readonly reset?: 'subtract' | 'zero';
  /** Spike/reset timing (default: the model's, else `spikelet`). */
  readonly order?: SpikeOrder;
  /** Let the gradient flow through the reset term (default false: detached). */
  readonly keepResetGrad?: boolean;
  /** Surrogate derivative (default: the model's, else arctan α = 2). */
  readonly surrogate?: SurrogateSpec;
  /** ALIF: b[t] = ρ·b[t−1] + s[t−1], θ̃ = θ + κ·b (defaults κ = 0.2, ρ = 0.95). */
  readonly adaptation?: { readonly kappa?: number; readonly rho?: number };
  /** Initial weights ~ gain·N(0, 1)/√fanIn (defaults: gain 1, recurrentGain 1). */
  readonly init?: { readonly gain?: number; readonly recurrentGain?: number; readonly bias?: number };
}

/** A trainable network description. */
export interface TrainModelSpec {
  readonly inputSize: number;
  /** Seconds per step, used only at export (default 0.001). */
  readonly dt?: number;
  readonly layers: readonly TrainLayerSpec[];
  /** Default spike order of every layer (default `spikelet`). */
  readonly order?: SpikeOrder;
  /** Default surrogate of every layer (default arctan α = 2). */
  readonly surrogate?: SurrogateSpec;
}

/** Parameters of one layer, at the API layout (row-major `[out, in]`, recurrent `[to, from]`). */
export interface TrainLayerParams {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly recurrent?: Float32Array;
  readonly beta: Float32Array;
  readonly threshold: Float32Array;
  readonly betaSyn?: Float32Array;
}

/** A validated layer with everything resolved. */
export interface ResolvedLayer {
  readonly index: number;
  readonly n: number;
  readonly inN: number;
  readonly cell: TrainCell;
  readonly recurrent: boolean;
  readonly bias: boolean;
  readonly order: 'spikelet' | 'snntorch' | 'spyx';
  readonly reset: 'subtract' | 'zero';
  readonly keepResetGrad: boolean;
  readonly learnBeta: boolean;
  readonly learnThreshold: boolean;
  readonly surrogate: ResolvedSurrogate;
  readonly kappa: number;
  readonly rho: number;
  readonly gain: number;
  readonly recurrentGain: number;
  readonly biasInit: number;
  readonly beta0: Float32Array;
  readonly betaSyn0: Float32Array;
  readonly threshold0: Float32Array;
  readonly spiking: boolean;
}

/** A validated model. */
export interface ResolvedModel {
  readonly inputSize: number;
  readonly dt: number;
  readonly layers: readonly ResolvedLayer[];
  readonly spec: TrainModelSpec;
}

const CELLS: readonly TrainCell[] = ['lif', 'if', 'cubalif', 'alif', 'li'];
const ORDERS = ['spikelet', 'norse', 'snntorch', 'spyx'];

function perNeuron(where: string, field: string, x: PerNeuronInit | undefined, n: number, dflt: number,
                   ok: (v: number) => boolean, expected: string): Float32Array {
  return fillPerNeuron(new Float32Array(n), where, field, x, dflt, ok, expected, false);
}

function bool(where: string, field: string, x: unknown, dflt: boolean): boolean {
  if (x === undefined) return dflt;
  if (typeof x !== 'boolean') throw new SpikeletError('invalid_param', where, field, 'true or false', x);
  return x;
}

function finite(where: string, field: string, x: unknown, dflt: number, ok: (v: number) => boolean, expected: string): number {
  if (x === undefined) return dflt;
  if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) throw new SpikeletError('invalid_param', where, field, expected, x);
  return x;
}

/**
 * Validates a {@link TrainModelSpec} and resolves defaults.
 * @param spec The model.
 * @param where Calling function, for errors.
 * @throws SpikeletError naming the field (unknown cell/order/surrogate, non-positive sizes, β outside [0, 1], ...).
 */
export function resolveModel(spec: TrainModelSpec, where = 'resolveModel'): ResolvedModel {
  if (spec === null || typeof spec !== 'object') throw new SpikeletError('invalid_param', where, 'model', '{ inputSize, layers }', spec);
  const inputSize = spec.inputSize;
  if (typeof inputSize !== 'number' || !Number.isInteger(inputSize) || inputSize < 1 || inputSize > 1 << 20) {
    throw new SpikeletError('invalid_param', where, 'model.inputSize', 'an integer in [1, 1048576]', inputSize);
  }
  const dt = finite(where, 'model.dt', spec.dt, 1e-3, (v) => v > 0, 'seconds > 0');
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) {
    throw new SpikeletError('invalid_param', where, 'model.layers', 'a non-empty array of layers', spec.layers);
  }
  if (spec.order !== undefined && !ORDERS.includes(spec.order)) {
    throw new SpikeletError('invalid_param', where, 'model.order', ORDERS.join(' | '), spec.order);
  }
  const layers: ResolvedLayer[] = [];
  let inN = inputSize;
  spec.layers.forEach((l, i) => {
    const f = `model.layers[${i}]`;
    if (l === null || typeof l !== 'object') throw new SpikeletError('invalid_param', where, f, 'a layer { size, cell, ... }', l);
    const n = l.size;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1 << 16) {
      throw new SpikeletError('invalid_param', where, `${f}.size`, 'an integer in [1, 65536]', n);
    }
    const cell = l.cell ?? 'lif';
    if (!CELLS.includes(cell)) throw new SpikeletError('invalid_param', where, `${f}.cell`, CELLS.join(' | '), cell);
    if (cell === 'li' && i !== spec.layers.length - 1) {
      throw new SpikeletError('unsupported', where, `${f}.cell`, 'li only as the last layer (it does not spike)', cell);
    }
    const orderIn = l.order ?? spec.order ?? 'spikelet';
    if (!ORDERS.includes(orderIn)) throw new SpikeletError('invalid_param', where, `${f}.order`, ORDERS.join(' | '), orderIn);
    const reset = l.reset ?? 'subtract';
    if (reset !== 'subtract' && reset !== 'zero') throw new SpikeletError('invalid_param', where, `${f}.reset`, 'subtract | zero', reset);
    const unit = (v: number) => v >= 0 && v <= 1;
    const beta0 = perNeuron(where, `${f}.beta`, l.beta, n, cell === 'if' ? 1 : 0.9, unit, 'a decay in [0, 1]');
    if (cell === 'if' && l.beta !== undefined && beta0.some((v) => v !== 1)) {
      throw new SpikeletError('invalid_param', where, `${f}.beta`, '1 (IF does not leak) or omitted', l.beta);
    }
    const recurrent = bool(where, `${f}.recurrent`, l.recurrent, false);
    if (recurrent && cell === 'li') throw new SpikeletError('unsupported', where, `${f}.recurrent`, 'false for li (no spikes to feed back)', true);
    const learnBeta = bool(where, `${f}.learnBeta`, l.learnBeta, false);
    if (learnBeta && cell === 'if') throw new SpikeletError('invalid_param', where, `${f}.learnBeta`, 'false for if (β = 1)', true);
    const init = l.init ?? {};
    const ad = l.adaptation ?? {};
    layers.push({
      index: i, n, inN, cell, recurrent,
      bias: bool(where, `${f}.bias`, l.bias, true),
      order: orderIn === 'norse' ? 'spikelet' : orderIn as 'spikelet' | 'snntorch' | 'spyx',
      reset,
      keepResetGrad: bool(where, `${f}.keepResetGrad`, l.keepResetGrad, false),
      learnBeta,
      learnThreshold: bool(where, `${f}.learnThreshold`, l.learnThreshold, false) && cell !== 'li',
      surrogate: resolveSurrogate(l.surrogate ?? spec.surrogate, where, l.surrogate ? `${f}.surrogate` : 'model.surrogate'),
      kappa: finite(where, `${f}.adaptation.kappa`, ad.kappa, 0.2, () => true, 'a finite number'),
      rho: finite(where, `${f}.adaptation.rho`, ad.rho, 0.95, unit, 'a decay in [0, 1]'),
      gain: finite(where, `${f}.init.gain`, init.gain, 1, (v) => v >= 0, 'a finite number >= 0'),
      recurrentGain: finite(where, `${f}.init.recurrentGain`, init.recurrentGain, 1, (v) => v >= 0, 'a finite number >= 0'),
      biasInit: finite(where, `${f}.init.bias`, init.bias, 0, () => true, 'a finite number'),
      beta0,
      betaSyn0: perNeuron(where, `${f}.betaSyn`, l.betaSyn, n, 0.8, unit, 'a decay in [0, 1]'),
      threshold0: perNeuron(where, `${f}.threshold`, l.threshold, n, 1, (v) => v > 0, 'a threshold > 0'),
      spiking: cell !== 'li',
    });
    inN = n;
  });
  return { inputSize, dt, layers, spec };
}

/** Standard normal from a uniform source (Box–Muller; deterministic for a seed). */
function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) { const s = spare; spare = undefined; return s; }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * Seeded initial parameters: W ~ gain·N(0,1)/√fanIn, recurrent ~ recurrentGain·N(0,1)/√n,
 * bias = init.bias, β, θ, β_syn from the spec.
 * @param model A resolved model.
 * @param seed Integer seed (same seed, same parameters on every platform).
 */
export function initParams(model: ResolvedModel, seed: number): TrainLayerParams[] {
  const g = gaussian(seededRandom(seed));
  return model.layers.map((l) => {
    const weight = new Float32Array(l.n * l.inN);
    const sw = l.gain / Math.sqrt(l.inN);
    for (let i = 0; i < weight.length; i++) weight[i] = sw * g();
    let recurrent: Float32Array | undefined;
    if (l.recurrent) {
      recurrent = new Float32Array(l.n * l.n);
      const sr = l.recurrentGain / Math.sqrt(l.n);
      for (let i = 0; i < recurrent.length; i++) recurrent[i] = sr * g();
    }
    return {
      weight, bias: new Float32Array(l.n).fill(l.bias ? l.biasInit : 0), recurrent,
      beta: l.beta0.slice(), threshold: l.threshold0.slice(), betaSyn: l.cell === 'cubalif' ? l.betaSyn0.slice() : undefined,
    };
  });
}

/**
 * Checks that parameters fit a model (shapes, finiteness).
 * @throws SpikeletError 'shape_mismatch' / 'invalid_param' naming the tensor.
 */
export function checkParams(model: ResolvedModel, params: readonly TrainLayerParams[], where = 'checkParams'): void {
  if (!Array.isArray(params) || params.length !== model.layers.length) {
    throw new SpikeletError('shape_mismatch', where, 'params.length', `${model.layers.length} (one per layer)`, Array.isArray(params) ? params.length : params);
  }
  model.layers.forEach((l, i) => {
    const p = params[i];
    const chk = (name: string, a: Float32Array | undefined, len: number) => {
      if (!(a instanceof Float32Array)) throw new SpikeletError('invalid_param', where, `params[${i}].${name}`, `a Float32Array(${len})`, a);
      if (a.length !== len) throw new SpikeletError('shape_mismatch', where, `params[${i}].${name}.length`, `${len}`, a.length);
      for (let k = 0; k < len; k++) if (!Number.isFinite(a[k])) throw new SpikeletError('invalid_param', where, `params[${i}].${name}[${k}]`, 'a finite number', a[k]);
    };
    chk('weight', p.weight, l.n * l.inN);
    chk('bias', p.bias, l.n);
    if (l.recurrent) chk('recurrent', p.recurrent, l.n * l.n);
    chk('beta', p.beta, l.n);
    chk('threshold', p.threshold, l.n);
    if (l.cell === 'cubalif') chk('betaSyn', p.betaSyn, l.n);
  });
}

/** Deep copy of a parameter set. */
export function cloneParams(params: readonly TrainLayerParams[]): TrainLayerParams[] {
  return params.map((p) => ({
    weight: p.weight.slice(), bias: p.bias.slice(), recurrent: p.recurrent?.slice(), beta: p.beta.slice(),
    threshold: p.threshold.slice(), betaSyn: p.betaSyn?.slice(),
  }));
}
