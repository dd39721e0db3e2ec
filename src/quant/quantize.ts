// Float network → integer deployment model (the DESIGN.md numeric contract; docs/numerics.md).
//
// Weights: int8, symmetric, one scale per output channel (or per tensor):
//   s_w[o] = max_i |W[o,i]| / 127,  W_q = clamp(round(W / s_w), −127, 127).
// Membrane and synaptic state: int16, saturating, in per-neuron units u[o]:
//   spiking cells: u[o] = v_threshold[o] / TH, so every threshold is TH = 4096 (8× headroom
//   before saturation); LI readouts: u[o] = (a bound on |v| that spike inputs can reach) / 32767.
// Currents: the dense kernels' int32 accumulators are requantized into those units,
//   cur = (acc·M[o] + 2^(S−1)) >> S,  M[o]/2^S ≈ g[o]·s_w[o]·s_x / u[o],
//   with g = β (LIF, IF, LI) or β·β_syn (CuBaLIF: the synapse is kept in membrane units too).
// Leak: decay = round(α·2^15) in Q15, or a shift k = round(log2(τ/dt)) (leak: 'shift');
// v_leak and the Linear bias become per-neuron int16 / int32 constants in the same units.
// Input: analog inputs are quantized to int8 with one scale s_x (`inputScale`, default 1/127:
// inputs in [−1, 1]; 0/1 spikes quantize exactly); spikes between layers are 0/1 (s_x = 1).
import type { Block, Network } from '../runtime/network.js';
import { cellConstants } from '../runtime/cells.js';
import { LEAK_MULTIPLY, LEAK_NONE, LEAK_SHIFT, RESET_NONE, RESET_SUBTRACT, RESET_ZERO } from '../runtime/abi.js';
import { SpikeletError } from '../errors.js';
import { clamp, roundHalfEven } from './rounding.js';

/** Threshold of every spiking neuron in its own membrane units. */
export const THRESHOLD_I16 = 4096;

/** Options of {@link quantizeNetwork}. */
export interface QuantizeOptions {
  /** Value of one int8 input step (default 1/127: inputs in [−1, 1]). Ignored for spike input. */
  readonly inputScale?: number;
  /** `analog` inputs are quantized to int8; `spikes` are 0/1 (any nonzero value is a spike). */
  readonly input?: 'analog' | 'spikes';
  /** Weight scales per output channel (default) or one per tensor. */
  readonly granularity?: 'channel' | 'tensor';
}

/** One block in integer form. Per-neuron arrays are [n]; weights [rows, cols] as in the Block. */
export interface QuantBlock {
  readonly kind: Block['kind'];
  readonly n: number;
  readonly inN: number;
  /** Linear [n, inN]; Conv2d [outC, C·kh·kw]. */
  readonly weight: Int8Array;
  /** Per weight row (output channel). */
  readonly weightScale: Float64Array;
  /** Value of one int8 input step of this block. */
  readonly inputScale: number;
  readonly recurrent?: Int8Array;
  readonly recurrentScale?: Float64Array;
  /** Requantization of the feed-forward / recurrent accumulators. */
  readonly m1: Int32Array;
  readonly s1: number;
  readonly m2: Int32Array;
  readonly s2: number;
  /** Constant current per step (Linear bias), in current units. */
  readonly bias: Int32Array;
  /** Every requantized current provably fits int32 (the kernel may skip int64 clamping). */
  readonly fastRequant: boolean;
  readonly leakMode: number;
  readonly shiftK: number;
  readonly decayQ15: Int16Array;
  readonly synDecayQ15?: Int16Array;
  /** v_leak term per step, membrane units. */
  readonly leakI16: Int16Array;
  readonly thresholdI16: Int16Array;
  readonly vResetI16: Int16Array;
  readonly resetMode: number;
  readonly refractorySteps: number;
  /** Float value of one membrane LSB, per neuron (dequantization). */
  readonly unit: Float64Array;
}

/** The integer deployment model of a network. */
export interface QuantizedNetwork {
  readonly inputSize: number;
  readonly dt: number;
  /** How the first layer reads inputs: int8-quantized values or 0/1 spikes. */
  readonly input?: 'analog' | 'spikes';
  readonly inputScale: number;
  readonly blocks: readonly QuantBlock[];
}

interface WeightsQ { q: Int8Array; scale: Float64Array }

function quantizeWeights(w: Float32Array, n: number, inN: number, granularity: 'channel' | 'tensor'): WeightsQ {
  const scale = new Float64Array(n);
  let all = 0;
  for (let o = 0; o < n; o++) {
    let m = 0;
    for (let i = 0; i < inN; i++) m = Math.max(m, Math.abs(w[o * inN + i]));
    scale[o] = m;
    all = Math.max(all, m);
  }
  for (let o = 0; o < n; o++) {
    const m = granularity === 'tensor' ? all : scale[o];
    scale[o] = m > 0 ? m / 127 : 1;
  }
  const q = new Int8Array(n * inN);
  for (let o = 0; o < n; o++) {
    for (let i = 0; i < inN; i++) q[o * inN + i] = clamp(roundHalfEven(w[o * inN + i] / scale[o]), -127, 127);
  }
  return { q, scale };
}

/** Fixed-point multipliers M[o] with one shift S so that M[o]/2^S ≈ real[o] and M < 2^31. */
function multipliers(real: Float64Array): { m: Int32Array; s: number } {
  let max = 0;
  for (const r of real) max = Math.max(max, Math.abs(r));
  const s = max > 0 ? clamp(30 - Math.ceil(Math.log2(max)), 1, 62) : 1;
  const m = new Int32Array(real.length);
  for (let o = 0; o < real.length; o++) m[o] = clamp(Math.round(real[o] * 2 ** s), -(2 ** 31 - 1), 2 ** 31 - 1);
  return { m, s };
}

/**
 * Turns a validated float network into the integer deployment model.
 * @param net A network from `validateNetwork`.
 * @param options Input scale and weight-scale granularity.
 * @returns Integer weights, requantization multipliers and fixed-point neuron constants.
 */
export function quantizeNetwork(net: Network, options: QuantizeOptions = {}): QuantizedNetwork {
  const inputScale = options.inputScale ?? 1 / 127;
  if (typeof inputScale !== 'number' || !Number.isFinite(inputScale) || inputScale <= 0) {
    throw new SpikeletError('invalid_param', 'quantize', 'inputScale', 'a finite number > 0', inputScale);
  }
  const input = options.input ?? 'analog';
  if (input !== 'analog' && input !== 'spikes') {
    throw new SpikeletError('invalid_param', 'quantize', 'input', '"analog" or "spikes"', input);
  }
  const granularity = options.granularity ?? 'channel';
  if (granularity !== 'channel' && granularity !== 'tensor') {
    throw new SpikeletError('invalid_param', 'quantize', 'granularity', '"channel" or "tensor"', granularity);
  }
  const blocks: QuantBlock[] = [];
  for (const b of net.blocks) {
    // Scale and largest value of one int8 input step: the quantized analog input, or spikes (1),
    // summed by sum pooling (counts) or averaged (1/(kh·kw) folded into the scale).
    const analog = b.index === 0 && input === 'analog';
    let sx = analog ? inputScale : 1;
    let xMax = analog ? 127 * inputScale : 1;
    for (const p of b.pre) {
      const k = p.kernel[0] * p.kernel[1];
      if (p.type === 'avgpool2d') sx /= k;
      else xMax *= k;
    }
    const c = cellConstants(b, net.dt);
    const n = b.n;
    // Weight rows are output channels: n for Linear, outC for Conv2d (neuron o → channel o / (OH·OW)).
    const conv = b.conv;
    const rows = conv ? conv.outShape[0] : n;
    const cols = conv ? conv.inShape[0] * conv.kernel[0] * conv.kernel[1] : b.inN;
    const perChannel = conv ? conv.outShape[1] * conv.outShape[2] : 1;
    const ch = (o: number) => Math.floor(o / perChannel);
    const w = quantizeWeights(b.weight, rows, cols, granularity);
    const rec = b.recurrent ? quantizeWeights(b.recurrent, n, n, granularity) : undefined;
    // Gain from a Linear output to the state the requantized current is added to.
    const gain = new Float64Array(n);
    for (let o = 0; o < n; o++) gain[o] = c.synBeta ? c.beta[o] * c.synBeta[o] : c.beta[o];
    const unit = new Float64Array(n);
    for (let o = 0; o < n; o++) {
      if (b.kind !== 'li') {
        unit[o] = b.vThreshold[o] / THRESHOLD_I16;
        continue;
      }
      // Bound on |v| of a leaky integrator driven by the largest possible input every step.
      let drive = Math.abs(b.bias[o]);
      for (let i = 0; i < cols; i++) drive += Math.abs(b.weight[ch(o) * cols + i]) * xMax;
      const steady = 1 / Math.max(1 - c.alpha[o], 1e-3);
      const bound = (Math.abs(c.beta[o]) * drive + Math.abs(c.gamma[o])) * steady;
      unit[o] = bound > 0 ? bound / 32767 : 1 / 32767;
    }
    const real1 = new Float64Array(n), real2 = new Float64Array(n);
    const bias = new Int32Array(n);
    for (let o = 0; o < n; o++) {
      real1[o] = gain[o] * w.scale[ch(o)] * sx / unit[o];
      if (rec) real2[o] = gain[o] * rec.scale[o] / unit[o];
      bias[o] = clamp(roundHalfEven(gain[o] * b.bias[o] / unit[o]), -(2 ** 30), 2 ** 30);
    }
    const r1 = multipliers(real1), r2 = multipliers(real2);
    // Largest |acc|·M / 2^S each current term can reach: int8 weights times the largest int8
    // input (xMax / sx steps), so the requantization kernel knows whether int32 suffices.
    const xq = Math.round(xMax / sx);
    let fastRequant = true;
    for (let o = 0; o < n && fastRequant; o++) {
      let a1 = 0, a2 = 0;
      for (let i = 0; i < cols; i++) a1 += Math.abs(w.q[ch(o) * cols + i]) * xq;
      if (rec) for (let i = 0; i < n; i++) a2 += Math.abs(rec.q[o * n + i]);
      const bound = (a1 * Math.abs(r1.m[o]) + 2 ** r1.s) / 2 ** r1.s
        + (a2 * Math.abs(r2.m[o]) + 2 ** r2.s) / 2 ** r2.s + Math.abs(bias[o]);
      fastRequant = bound < 2 ** 31 - 1;
    }
    const leakMode = b.leak === 'none' ? LEAK_NONE : b.leak === 'shift' ? LEAK_SHIFT : LEAK_MULTIPLY;
    let shiftK = 0;
    if (leakMode === LEAK_SHIFT) {
      for (let o = 1; o < n; o++) {
        if (b.tau[o] !== b.tau[0]) {
          throw new SpikeletError('invalid_param', 'quantize', `layers[${b.layerIndex}].tau`, "one value for the whole layer with leak: 'shift'", b.tau[o]);
        }
      }
      shiftK = clamp(Math.round(Math.log2(b.tau[0] / net.dt)), 0, 15);
    }
    const q15 = (a: Float64Array) => Int16Array.from(a, (x) => clamp(roundHalfEven(x * 32768), 0, 32767));
    const i16 = (a: ArrayLike<number>) => Int16Array.from(a as ArrayLike<number>, (x) => clamp(roundHalfEven(x), -32768, 32767));
    blocks.push({
      kind: b.kind, n, inN: b.inN, weight: w.q, weightScale: w.scale, inputScale: sx,
      recurrent: rec?.q, recurrentScale: rec?.scale,
      m1: r1.m, s1: r1.s, m2: r2.m, s2: r2.s, bias, fastRequant,
      leakMode, shiftK,
      decayQ15: q15(c.alpha),
      synDecayQ15: c.synAlpha ? q15(c.synAlpha) : undefined,
      leakI16: i16(Array.from(c.gamma, (g, o) => g / unit[o])),
      thresholdI16: b.kind === 'li' ? new Int16Array(n).fill(32767) : new Int16Array(n).fill(THRESHOLD_I16),
      vResetI16: i16(Array.from(b.vReset, (v, o) => v / unit[o])),
      resetMode: b.reset === 'none' ? RESET_NONE : b.reset === 'zero' ? RESET_ZERO : RESET_SUBTRACT,
      refractorySteps: Math.round(b.refractory / net.dt),
      unit,
    });
  }
  return { inputSize: net.inputSize, dt: net.dt, input, inputScale, blocks };
}
