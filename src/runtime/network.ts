// The layer-list description of a network that `compile` and `quantize` take, and its
// validation. Parameters use NIR's names and units (seconds): a float model described here
// behaves as NIR's ODEs discretized with one forward-Euler step of `dt` (docs/numerics.md).
import { SpikeletError } from '../errors.js';

/** A parameter given once for the whole layer or once per neuron. */
export type PerNeuron = number | Float32Array | Float64Array | readonly number[];

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

/** A validated (Linear, cell) pair with every parameter expanded per neuron. */
export interface Block {
  readonly index: number;           // position of the block (0-based)
  readonly layerIndex: number;      // position of its cell in `layers`
  readonly kind: CellSpec['type'];
  readonly n: number;
  readonly inN: number;
  readonly weight: Float32Array;    // [n, inN]
  readonly bias: Float64Array;      // [n]
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

/** Expands a scalar or per-neuron parameter and checks every value with `ok`. */
function perNeuron(where: string, field: string, x: PerNeuron | undefined, n: number, dflt: number,
                   ok: (v: number) => boolean, expected: string): Float64Array {
  const out = new Float64Array(n);
  if (x === undefined) return out.fill(dflt);
  if (typeof x === 'number') {
    if (!Number.isFinite(x) || !ok(x)) throw new SpikeletError('invalid_param', where, field, expected, x);
    return out.fill(x);
  }
  if (!(x instanceof Float32Array || x instanceof Float64Array || Array.isArray(x))) {
    throw new SpikeletError('invalid_param', where, field, `a number or an array of ${n} numbers`, x);
  }
  const a = x as ArrayLike<number>;
  if (a.length !== n && a.length !== 1) {
    throw new SpikeletError('shape_mismatch', where, `${field}.length`, `1 or ${n} (the layer size)`, a.length);
  }
  for (let i = 0; i < n; i++) {
    const v = a[a.length === 1 ? 0 : i];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      throw new SpikeletError('invalid_param', where, `${field}[${i}]`, expected, v);
    }
    out[i] = v;
  }
  return out;
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
  const blocks: Block[] = [];
  let inN = inputSize;
  const layers = spec.layers;
  for (let i = 0; i < layers.length; i += 2) {
    const lin = layers[i] as LayerSpec;
    const f = `layers[${i}]`;
    if (lin === null || typeof lin !== 'object' || lin.type !== 'linear') {
      const t = (lin as { type?: unknown } | null)?.type;
      if (typeof t === 'string' && !CELLS.includes(t) && t !== 'linear') {
        throw new SpikeletError('unsupported', where, `${f}.type`, `one of linear, ${CELLS.join(', ')}`, t);
      }
      throw new SpikeletError('invalid_param', where, `${f}.type`, '"linear" (layers alternate Linear, cell)', t);
    }
    const n = positiveInt(where, `${f}.outFeatures`, lin.outFeatures);
    const weight = finiteArray(where, `${f}.weight`, lin.weight, n * inN);
    const bias = perNeuron(where, `${f}.bias`, lin.bias, n, 0, () => true, 'a finite number');
    const cell = layers[i + 1] as CellSpec | undefined;
    const g = `layers[${i + 1}]`;
    if (cell === undefined || cell === null || typeof cell !== 'object') {
      throw new SpikeletError('invalid_param', where, g, `a cell (${CELLS.join(', ')}) after the Linear layer`, cell);
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
    const recurrent = cell.recurrent === undefined ? undefined : finiteArray(where, `${g}.recurrent`, cell.recurrent, n * n);
    blocks.push({
      index: blocks.length, layerIndex: i + 1, kind: cell.type, n, inN, weight, bias, recurrent, tau, tauSyn,
      wIn: perNeuron(where, `${g}.wIn`, c.wIn, n, 1, () => true, 'a finite number'),
      r: perNeuron(where, `${g}.r`, c.r, n, 1, () => true, 'a finite number'),
      vLeak: perNeuron(where, `${g}.vLeak`, c.vLeak, n, 0, () => true, 'a finite number'),
      vThreshold, vReset, reset, refractory, leak,
    });
    inN = n;
  }
  return { inputSize, dt, blocks };
}
