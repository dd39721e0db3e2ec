// The layer-list description of a network that `compile` and `quantize` take, and its
// validation. Parameters use NIR's names and units (seconds): a float model described here
// behaves as NIR's ODEs discretized with one forward-Euler step of `dt` (docs/numerics.md).
import { SpikeletError } from '../errors.js';
import { fillPerNeuron, type PerNeuronValue } from '../util/per-neuron.js';

/** A parameter given once for the whole layer or once per neuron. */
export type PerNeuron = PerNeuronValue;

/** Dense connection `y = W x + b`, W row-major `[outFeatures, inFeatures]`. */
export interface LinearSpec {
  readonly type: 'linear';
  readonly outFeatures: number;
  readonly weight: Float32Array | readonly number[];
  /** Per output; omitted means zero (NIR Linear), given means NIR Affine. */
  readonly bias?: PerNeuron;
}

/** Fields every spiking or integrating cell accepts. */
interface CellBase {
  /** Recurrent weights `[n, n]` row-major (`[to, from]`): spikes of step t feed step t+1. */
  readonly recurrent?: Float32Array | readonly number[];
}
interface Spiking {
  /** Firing threshold (default 1). A neuron fires when v > vThreshold, after its update. */
  readonly vThreshold?: PerNeuron;
  /** Reset potential (default 0). */
  readonly vReset?: PerNeuron;
  /** `subtract`: v ← v − (vThreshold − vReset) (default); `zero`: v ← vReset. */
  readonly reset?: 'subtract' | 'zero';
  /** Refractory period in seconds (default 0): no firing, membrane held at vReset. */
  readonly refractory?: number;
  /** Integer plans only: leak as a Q15 multiply (default) or as `v − (v >> k)`. */
  readonly leak?: 'multiply' | 'shift';
}

/** Leaky integrate-and-fire: τ dv/dt = (v_leak − v) + r·I. */
export interface LifSpec extends CellBase, Spiking {
  readonly type: 'lif';
  readonly tau: PerNeuron;
  readonly r?: PerNeuron;
  readonly vLeak?: PerNeuron;
}
/** Current-based LIF: τ_syn dI/dt = −I + w_in·x; τ_mem dv/dt = (v_leak − v) + r·I. */
export interface CubaLifSpec extends CellBase, Spiking {
  readonly type: 'cubalif';
  readonly tauSyn: PerNeuron;
  readonly tauMem: PerNeuron;
  readonly r?: PerNeuron;
  readonly vLeak?: PerNeuron;
  readonly wIn?: PerNeuron;
}
/** Integrate-and-fire: dv/dt = r·I. */
export interface IfSpec extends CellBase, Spiking {
  readonly type: 'if';
  readonly r?: PerNeuron;
}
/** Leaky integrator (non-spiking readout): τ dv/dt = (v_leak − v) + r·I. Last layer only. */
export interface LiSpec extends CellBase {
  readonly type: 'li';
  readonly tau: PerNeuron;
  readonly r?: PerNeuron;
  readonly vLeak?: PerNeuron;
}

export type CellSpec = LifSpec | CubaLifSpec | IfSpec | LiSpec;

/**
 * 2-D convolution over `[C, H, W]` activations (NIR Conv2d): weight `[out, in/groups, kh, kw]`
 * row-major. Like Linear it produces a current for the cell after it.
 */
export interface Conv2dSpec {
  readonly type: 'conv2d';
  readonly outChannels: number;
  readonly kernelSize: readonly [number, number];
  readonly weight: Float32Array | readonly number[];
  readonly stride?: readonly [number, number];
  readonly padding?: readonly [number, number];
  readonly dilation?: readonly [number, number];
  readonly groups?: number;
  /** Per output channel. */
  readonly bias?: PerNeuron;
}
/** Sum or average pooling over `[C, H, W]` (NIR SumPool2d / AvgPool2d). */
export interface Pool2dSpec {
  readonly type: 'sumpool2d' | 'avgpool2d';
  readonly kernelSize: readonly [number, number];
  readonly stride?: readonly [number, number];
  readonly padding?: readonly [number, number];
}
/** `[C, H, W]` → `[C·H·W]` (row-major; a no-op on memory). */
export interface FlattenSpec {
  readonly type: 'flatten';
}

export type LayerSpec = LinearSpec | CellSpec | Conv2dSpec | Pool2dSpec | FlattenSpec;

/** A network: `inputSize` inputs, then pairs of (Linear, cell) layers. */
export interface NetworkSpec {
  readonly inputSize: number;
  /** `[C, H, W]` of the input, for networks that start with a convolution. */
  readonly inputShape?: readonly [number, number, number];
  /** Time step in seconds (default 0.001). */
  readonly dt?: number;
  readonly layers: readonly LayerSpec[];
}

/** `[C, H, W]`. */
export type Shape3 = readonly [number, number, number];

/** Geometry of a validated Conv2d synapse. */
export interface ConvGeometry {
  readonly inShape: Shape3;
  readonly outShape: Shape3;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
}

/** A pooling step applied to a block's incoming activations. */
export interface PoolGeometry {
  readonly type: 'sumpool2d' | 'avgpool2d';
  readonly inShape: Shape3;
  readonly outShape: Shape3;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

/**
 * A validated block: optional pooling of the incoming activations, one synapse (Linear or
 * Conv2d) and the cell it drives, with every parameter expanded per neuron. Neurons of a conv
 * block are numbered in `[C, H, W]` order, as NIR and PyTorch number them.
 */
export interface Block {
  readonly index: number;           // position of the block (0-based)
  readonly layerIndex: number;      // position of its cell in `layers`
  readonly kind: CellSpec['type'];
  readonly synapse: 'linear' | 'conv2d';
  readonly n: number;
  /** Inputs of the synapse (after pooling): C·H·W for conv, the flattened count for Linear. */
  readonly inN: number;
  /** `[C, H, W]` of the synapse input when it is spatial (conv input, or a flattened conv output). */
  readonly inShape?: Shape3;
  readonly conv?: ConvGeometry;
  readonly pre: readonly PoolGeometry[];
  readonly weight: Float32Array;    // Linear [n, inN]; Conv2d [outC, C·kh·kw]
  readonly bias: Float64Array;      // [n] (a conv's per-channel bias expanded per neuron)
  readonly recurrent?: Float32Array; // [n, n]
  readonly tau: Float64Array;       // membrane τ (LIF, LI, CuBaLIF); unused for IF
  readonly tauSyn: Float64Array;    // CuBaLIF only
  readonly wIn: Float64Array;
  readonly r: Float64Array;
  readonly vLeak: Float64Array;
  readonly vThreshold: Float64Array;
  readonly vReset: Float64Array;
  readonly reset: 'subtract' | 'zero' | 'none';
  readonly refractory: number;
  readonly leak: 'multiply' | 'shift' | 'none';
}

/** A validated network. */
export interface Network {
  readonly inputSize: number;
  readonly dt: number;
  readonly blocks: readonly Block[];
}

const CELLS = ['lif', 'cubalif', 'if', 'li'];

/** Every field any cell type may carry, for uniform validation. */
type LooseCell = Partial<Omit<LifSpec, 'type'> & Omit<CubaLifSpec, 'type'> & Omit<IfSpec, 'type'>>;

function positiveInt(where: string, field: string, x: unknown, max = 1 << 20): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > max) {
    throw new SpikeletError('invalid_param', where, field, `an integer in [1, ${max}]`, x);
  }
  return x;
}

function finiteArray(where: string, field: string, x: unknown, length: number): Float32Array {
  if (!(x instanceof Float32Array || x instanceof Float64Array || Array.isArray(x))) {
    throw new SpikeletError('invalid_param', where, field, `a Float32Array or number[] of length ${length}`, x);
  }
  const a = x as ArrayLike<number>;
  if (a.length !== length) {
    throw new SpikeletError('shape_mismatch', where, `${field}.length`, `${length}`, a.length);
  }
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new SpikeletError('invalid_param', where, `${field}[${i}]`, 'a finite number', v);
    }
    out[i] = v;
  }
  return out;
}

/** Expands a scalar or per-neuron parameter (a one-element array is broadcast) and checks every value with `ok`. */
function perNeuron(where: string, field: string, x: PerNeuron | undefined, n: number, dflt: number,
                   ok: (v: number) => boolean, expected: string): Float64Array {
  return fillPerNeuron(new Float64Array(n), where, field, x, dflt, ok, expected, true);
}

/** Validates a `[h, w]` pair of integers ≥ `min` (a scalar means both). */
function pair(where: string, field: string, x: unknown, dflt: readonly [number, number] | undefined, min: number): [number, number] {
  if (x === undefined && dflt) return [dflt[0], dflt[1]];
  const v = typeof x === 'number' ? [x, x] : x;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((k) => Number.isInteger(k) && k >= min)) {
    throw new SpikeletError('invalid_param', where, field, `[h, w] integers >= ${min}`, x);
  }
  return [v[0], v[1]];
}

/** Output [C, H, W] of a convolution or pooling window over `s`. */
function outSize(where: string, f: string, s: Shape3, k: readonly [number, number], st: readonly [number, number],
                 p: readonly [number, number], d: readonly [number, number], channels: number): Shape3 {
  const oh = Math.floor((s[1] + 2 * p[0] - d[0] * (k[0] - 1) - 1) / st[0]) + 1;
  const ow = Math.floor((s[2] + 2 * p[1] - d[1] * (k[1] - 1) - 1) / st[1]) + 1;
  if (oh < 1 || ow < 1) {
    throw new SpikeletError('shape_mismatch', where, `${f}.kernelSize`, `a window that fits the [${s.join(', ')}] input`, k);
  }
  return [channels, oh, ow];
}

/**
 * Checks a {@link NetworkSpec} and expands it into per-neuron parameters.
 * @param spec The network description.
 * @param where Name of the calling API function, used in error messages.
 * @throws SpikeletError naming the offending field, value and what was expected.
 */
export function validateNetwork(spec: NetworkSpec, where = 'compile'): Network {
  if (spec === null || typeof spec !== 'object') {
    throw new SpikeletError('invalid_param', where, 'network', 'an object { inputSize, dt?, layers }', spec);
  }
  const inputSize = positiveInt(where, 'inputSize', spec.inputSize);
  const dt = spec.dt ?? 1e-3;
  if (typeof dt !== 'number' || !Number.isFinite(dt) || dt <= 0) {
    throw new SpikeletError('invalid_param', where, 'dt', 'a finite number > 0 (seconds)', dt);
  }
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) {
    throw new SpikeletError('invalid_param', where, 'layers', 'a non-empty array of layers', spec.layers);
  }
  let shape: Shape3 | undefined;
  if (spec.inputShape !== undefined) {
    const sh = spec.inputShape;
    if (!Array.isArray(sh) || sh.length !== 3 || !sh.every((v) => Number.isInteger(v) && v > 0)) {
      throw new SpikeletError('invalid_param', where, 'inputShape', '[C, H, W] positive integers', sh);
    }
    if (sh[0] * sh[1] * sh[2] !== inputSize) {
      throw new SpikeletError('shape_mismatch', where, 'inputShape', `C·H·W = inputSize (${inputSize})`, sh);
    }
    shape = [sh[0], sh[1], sh[2]];
  }
  const blocks: Block[] = [];
  let inN = inputSize;
  let pre: PoolGeometry[] = [];
  const layers = spec.layers;
  let i = 0;
  while (i < layers.length) {
    const syn = layers[i] as LayerSpec;
    const f = `layers[${i}]`;
    const t = (syn as { type?: unknown } | null)?.type;
    if (t === 'flatten') {
      shape = undefined; // [C, H, W] → C·H·W in row-major order: nothing moves
      i++;
      continue;
    }
    if (t === 'sumpool2d' || t === 'avgpool2d') {
      if (!shape) throw new SpikeletError('invalid_param', where, `${f}.type`, 'pooling of [C, H, W] activations (after a conv layer or inputShape)', t);
      if (blocks.length === 0) throw new SpikeletError('unsupported', where, `${f}.type`, 'pooling after a spiking layer (pooling the network input is not supported)', t);
      const pool = syn as Pool2dSpec;
      const kernel = pair(where, `${f}.kernelSize`, pool.kernelSize, undefined, 1);
      if (kernel[0] * kernel[1] > 127) throw new SpikeletError('unsupported', where, `${f}.kernelSize`, 'a window of at most 127 elements (pooled spike counts are int8)', pool.kernelSize);
      const stride = pair(where, `${f}.stride`, pool.stride, kernel, 1);
      const padding = pair(where, `${f}.padding`, pool.padding, [0, 0], 0);
      const out = outSize(where, f, shape, kernel, stride, padding, [1, 1], shape[0]);
      pre.push({ type: t, inShape: shape, outShape: out, kernel, stride, padding });
      shape = out;
      inN = out[0] * out[1] * out[2];
      i++;
      continue;
    }
    if (t !== 'linear' && t !== 'conv2d') {
      if (typeof t === 'string' && !CELLS.includes(t)) {
        throw new SpikeletError('unsupported', where, `${f}.type`, `one of linear, conv2d, sumpool2d, avgpool2d, flatten, ${CELLS.join(', ')}`, t);
      }
      throw new SpikeletError('invalid_param', where, `${f}.type`, '"linear" or "conv2d" (each cell is driven by a synaptic layer)', t);
    }
    let n: number, weight: Float32Array, bias: Float64Array, conv: ConvGeometry | undefined;
    const inShape = shape;
    if (t === 'linear') {
      const lin = syn as LinearSpec;
      n = positiveInt(where, `${f}.outFeatures`, lin.outFeatures);
      weight = finiteArray(where, `${f}.weight`, lin.weight, n * inN);
      bias = perNeuron(where, `${f}.bias`, lin.bias, n, 0, () => true, 'a finite number');
    } else {
      const c2 = syn as Conv2dSpec;
      if (!shape) throw new SpikeletError('invalid_param', where, `${f}.type`, 'conv2d on [C, H, W] activations (give inputShape, and no flatten before it)', t);
      const outC = positiveInt(where, `${f}.outChannels`, c2.outChannels);
      if ((c2.groups ?? 1) !== 1) throw new SpikeletError('unsupported', where, `${f}.groups`, '1 (grouped convolutions are not supported by plans yet)', c2.groups);
      const kernel = pair(where, `${f}.kernelSize`, c2.kernelSize, undefined, 1);
      const stride = pair(where, `${f}.stride`, c2.stride, [1, 1], 1);
      const padding = pair(where, `${f}.padding`, c2.padding, [0, 0], 0);
      const dilation = pair(where, `${f}.dilation`, c2.dilation, [1, 1], 1);
      const out = outSize(where, f, shape, kernel, stride, padding, dilation, outC);
      weight = finiteArray(where, `${f}.weight`, c2.weight, outC * shape[0] * kernel[0] * kernel[1]);
      const perChannel = perNeuron(where, `${f}.bias`, c2.bias, outC, 0, () => true, 'a finite number');
      n = outC * out[1] * out[2];
      bias = new Float64Array(n);
      for (let k = 0; k < n; k++) bias[k] = perChannel[Math.floor(k / (out[1] * out[2]))];
      conv = { inShape: shape, outShape: out, kernel, stride, padding, dilation };
    }
    const cell = layers[i + 1] as CellSpec | undefined;
    const g = `layers[${i + 1}]`;
    if (cell === undefined || cell === null || typeof cell !== 'object') {
      throw new SpikeletError('invalid_param', where, g, `a cell (${CELLS.join(', ')}) after the ${t} layer`, cell);
    }
    if (!CELLS.includes(cell.type)) {
      throw new SpikeletError('unsupported', where, `${g}.type`, `one of ${CELLS.join(', ')}`, (cell as { type: unknown }).type);
    }
    const pos = (v: number) => v > 0;
    const tauOk = (v: number) => v >= dt;
    const tauMsg = `a finite number >= dt (${dt} s)`;
    const c = cell as LooseCell;
    const spiking = cell.type !== 'li';
    if (!spiking && i + 2 < layers.length) {
      throw new SpikeletError('unsupported', where, `${g}.type`, 'li only as the last layer (it does not spike)', cell.type);
    }
    const tauField = cell.type === 'cubalif' ? 'tauMem' : 'tau';
    const tau = cell.type === 'if' ? new Float64Array(n).fill(Infinity)
      : perNeuron(where, `${g}.${tauField}`, cell.type === 'cubalif' ? c.tauMem : c.tau, n, NaN, tauOk, tauMsg);
    if (cell.type !== 'if' && (cell.type === 'cubalif' ? c.tauMem : c.tau) === undefined) {
      throw new SpikeletError('invalid_param', where, `${g}.${tauField}`, tauMsg, undefined);
    }
    if (cell.type === 'cubalif' && c.tauSyn === undefined) {
      throw new SpikeletError('invalid_param', where, `${g}.tauSyn`, tauMsg, undefined);
    }
    const tauSyn = perNeuron(where, `${g}.tauSyn`, c.tauSyn, n, Infinity, tauOk, tauMsg);
    const vThreshold = perNeuron(where, `${g}.vThreshold`, c.vThreshold, n, 1, pos, 'a finite number > 0');
    const vReset = perNeuron(where, `${g}.vReset`, c.vReset, n, 0, () => true, 'a finite number');
    for (let k = 0; k < n; k++) {
      if (spiking && vReset[k] >= vThreshold[k]) {
        throw new SpikeletError('invalid_param', where, `${g}.vReset[${k}]`, `< vThreshold (${vThreshold[k]})`, vReset[k]);
      }
    }
    const reset = spiking ? (c.reset ?? 'subtract') : 'none';
    if (reset !== 'subtract' && reset !== 'zero' && reset !== 'none') {
      throw new SpikeletError('invalid_param', where, `${g}.reset`, '"subtract" or "zero"', reset);
    }
    const refractory = c.refractory ?? 0;
    if (typeof refractory !== 'number' || !Number.isFinite(refractory) || refractory < 0 || refractory / dt > 32767) {
      throw new SpikeletError('invalid_param', where, `${g}.refractory`, `seconds in [0, ${32767 * dt}]`, refractory);
    }
    const leak = cell.type === 'if' ? 'none' : (c.leak ?? 'multiply');
    if (leak !== 'multiply' && leak !== 'shift' && leak !== 'none') {
      throw new SpikeletError('invalid_param', where, `${g}.leak`, '"multiply" or "shift"', leak);
    }
    if (cell.recurrent !== undefined && conv) {
      throw new SpikeletError('unsupported', where, `${g}.recurrent`, 'recurrent weights only on cells driven by a Linear layer', 'conv2d');
    }
    const recurrent = cell.recurrent === undefined ? undefined : finiteArray(where, `${g}.recurrent`, cell.recurrent, n * n);
    blocks.push({
      index: blocks.length, layerIndex: i + 1, kind: cell.type, synapse: t, n, inN, inShape, conv, pre,
      weight, bias, recurrent, tau, tauSyn,
      wIn: perNeuron(where, `${g}.wIn`, c.wIn, n, 1, () => true, 'a finite number'),
      r: perNeuron(where, `${g}.r`, c.r, n, 1, () => true, 'a finite number'),
      vLeak: perNeuron(where, `${g}.vLeak`, c.vLeak, n, 0, () => true, 'a finite number'),
      vThreshold, vReset, reset, refractory, leak,
    });
    shape = conv?.outShape;
    inN = n;
    pre = [];
    i += 2;
  }
  if (pre.length > 0) {
    throw new SpikeletError('invalid_param', where, `layers[${layers.length - 1}]`, 'a synaptic layer (linear or conv2d) and a cell after pooling', pre[pre.length - 1].type);
  }
  return { inputSize, dt, blocks };
}
