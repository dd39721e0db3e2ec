// ANN → SNN conversion (rate coding): every ReLU becomes an integrate-and-fire neuron with reset
// by subtraction (Rueckauer et al. 2017, "Conversion of continuous-valued deep networks to
// efficient event-driven networks"), so that over T steps a neuron's spike count × threshold +
// its residual membrane equals the sum of its input currents, and its rate approximates the
// ReLU's activation divided by the layer's scale λ.
//
// Data-based normalization: λ_l is the maximum (Diehl et al. 2015) or a percentile (default
// 99.9, Rueckauer's "robust" norm) of layer l's ReLU output on calibration data, per layer or
// per channel. With threshold 1,
//     W'_l[o, i] = W_l[o, i] · λ_{l−1}[i] / λ_l[o],     b'_l[o] = b_l[o] / λ_l[o]
// (λ_0 = 1 for analog input currents; the input's maximum for Poisson rates). The bias is a
// constant current every step. The output layer is also IF (reset by subtraction) with one λ
// for all classes (per-class scales would change the argmax); it is read as spike counts, or
// as the accumulated membrane count·θ + v (= Σ_t input current: the logits × t / λ).
//
// Layers: Gemm/MatMul → linear; Conv → conv2d (groups expanded into a dense kernel with zero
// blocks, which plans run; exact); AveragePool / GlobalAveragePool → avgpool2d of spikes (exact
// for rates); a zero Pad before a Conv or AveragePool → that layer's padding. MaxPool has no
// exact rate equivalent: it is approximated by average pooling (the pooled rate is the mean of
// the window's rates instead of the largest), which the result's `notes` say; networks trained
// with MaxPool lose accuracy in conversion, so prefer AveragePool in the ANN.
import { SpikeletError } from '../errors.js';
import type { Graph } from '../graph/types.js';
import { shapeSize, type AnnConv, type AnnDense, type AnnLayer, type AnnModel } from '../io/onnx/model.js';
import type { LayerSpec, NetworkSpec } from '../runtime/network.js';
import { activationStats, type ConvertProgress, type LayerStats } from './calibrate.js';
import { networkToGraph } from '../graph/from-network.js';
import type { Runtime } from '../runtime/runtime.js';

/** How inputs reach the first layer. */
export type InputEncoding = 'analog' | 'poisson';
/** How the output layer is read. */
export type Readout = 'membrane' | 'spikes';

/** Options of {@link convertAnn}. */
export interface ConvertOptions {
  /** Calibration inputs `[samples, inputSize]` (e.g. the training set), scaled as the ANN expects. */
  readonly calibration: Float32Array;
  /** Percentile of hidden activations used as λ (default 99.9; 100 = max-norm). */
  readonly percentile?: number;
  /** Percentile over all elements (default) or only positive ones (snntoolbox's convention). */
  readonly percentileOf?: 'all' | 'nonzero';
  /** One λ per layer (default) or per channel (per output feature of a dense layer). */
  readonly normalization?: 'layer' | 'channel';
  /** Percentile of the output layer's positive values used as its λ (default 100: the max). */
  readonly outputPercentile?: number;
  /** `analog` (default): the input is a current into the first layer every step; `poisson`: Bernoulli spikes with rate x / inputMax. */
  readonly encoding?: InputEncoding;
  /** `membrane` (default): class scores are count·θ + v of the output layer; `spikes`: spike counts. */
  readonly readout?: Readout;
  /** Time step in seconds of the IF cells (default 1e-4, NIR's default; r = 1/dt so one step adds the whole current). */
  readonly dt?: number;
  /** Runtime for the ANN's calibration pass. */
  readonly runtime?: Runtime;
  /** Progress of the calibration pass. */
  readonly onProgress?: (p: ConvertProgress) => void;
}

/** One weight layer of the converted network and the scale it was normalized with. */
export interface ConvertedLayer {
  /** Name of the ONNX node of the synapse (Gemm/MatMul/Conv). */
  readonly synapse: string;
  /** The ONNX tensor whose statistics gave λ (the ReLU's output; the logits for the output layer). */
  readonly activation: string;
  readonly kind: 'hidden' | 'output';
  /** λ per output channel (length 1 with per-layer normalization). */
  readonly lambda: Float64Array;
  /** Index of the layer's cell in `spec.layers`. */
  readonly specLayer: number;
}

/** A converted SNN: the spec `compile` runs, its Graph for NIR/.spk, and how to drive and read it. */
export interface ConvertedSnn {
  readonly spec: NetworkSpec;
  readonly graph: Graph;
  readonly encoding: InputEncoding;
  readonly readout: Readout;
  /** Largest |input| of the calibration data: rate 1 under Poisson encoding. */
  readonly inputMax: number;
  /** Suggested int8 input step for analog input (inputMax / 127). */
  readonly inputScale: number;
  readonly layers: readonly ConvertedLayer[];
  /** Calibration statistics of every normalized layer. */
  readonly stats: readonly LayerStats[];
  /** Approximations made (e.g. MaxPool → average pooling). */
  readonly notes: readonly string[];
}

const WHERE = 'convertAnn';

/**
 * Converts an imported ANN into a rate-coded SNN of IF neurons (see the file header for the method).
 * @param model The ANN from `readOnnx`.
 * @param options Calibration data and the normalization, encoding and readout choices.
 * @returns The SNN as a NetworkSpec and a Graph, with the scales used.
 * @throws SpikeletError `unsupported` naming the ANN layer that has no SNN equivalent.
 * @example
 * const snn = convertAnn(ann, { calibration: train.x, percentile: 99.9 });
 * const plan = compile(rt, snn.spec, { precision: 'int8', quantization: { inputScale: snn.inputScale } });
 */
export function convertAnn(model: AnnModel, options: ConvertOptions): ConvertedSnn {
  const encoding = options.encoding ?? 'analog';
  if (encoding !== 'analog' && encoding !== 'poisson') throw new SpikeletError('invalid_param', WHERE, 'encoding', '"analog" or "poisson"', encoding);
  const readout = options.readout ?? 'membrane';
  if (readout !== 'membrane' && readout !== 'spikes') throw new SpikeletError('invalid_param', WHERE, 'readout', '"membrane" or "spikes"', readout);
  const norm = options.normalization ?? 'layer';
  if (norm !== 'layer' && norm !== 'channel') throw new SpikeletError('invalid_param', WHERE, 'normalization', '"layer" or "channel"', norm);
  const outP = options.outputPercentile ?? 100;
  if (typeof outP !== 'number' || !(outP > 0 && outP <= 100)) throw new SpikeletError('invalid_param', WHERE, 'outputPercentile', 'a number in (0, 100]', outP);
  const dt = options.dt ?? 1e-4;
  if (typeof dt !== 'number' || !(dt > 0) || !Number.isFinite(dt)) throw new SpikeletError('invalid_param', WHERE, 'dt', 'a finite number > 0 (seconds)', dt);
  const x = options.calibration;
  const inSize = shapeSize(model.inputShape);
  if (!(x instanceof Float32Array) || x.length === 0 || x.length % inSize !== 0) {
    throw new SpikeletError('shape_mismatch', WHERE, 'calibration.length', `a Float32Array of samples × ${inSize}`, x instanceof Float32Array ? x.length : x);
  }
  const layers = model.layers;
  const label = (l: AnnLayer) => `layers "${l.name}" (${l.op})`;

  // Which layer's statistics give each synapse's λ: the ReLU right after it, or (last synapse) its own output.
  const synapses = layers.flatMap((l, i) => (l.op === 'dense' || l.op === 'conv' ? [i] : []));
  if (synapses.length === 0) throw new SpikeletError('unsupported', WHERE, 'model.layers', 'at least one Gemm, MatMul or Conv', 0);
  const lastSyn = synapses[synapses.length - 1];
  const statOf = new Map<number, number>();
  for (const i of synapses) {
    if (layers[i + 1]?.op === 'relu') statOf.set(i, i + 1);
    else if (i === lastSyn) statOf.set(i, i);
    else throw new SpikeletError('unsupported', WHERE, `${label(layers[i])}`, 'a ReLU after every hidden Gemm/MatMul/Conv (IF neurons stand for ReLUs)', layers[i + 1]?.op ?? 'nothing');
  }
  for (let i = lastSyn + 1; i < layers.length; i++) {
    const l = layers[i];
    if (l.op !== 'reshape' && !(l.op === 'relu' && i === lastSyn + 1)) {
      throw new SpikeletError('unsupported', WHERE, label(l), 'nothing after the last Gemm/MatMul/Conv but a ReLU or a reshape', l.op);
    }
  }
  const statLayers = [...new Set(statOf.values())];
  const stats = activationStats(model, x, statLayers, {
    percentile: options.percentile ?? 99.9, percentileOf: options.percentileOf, runtime: options.runtime, onProgress: options.onProgress,
  });
  const outStats = outP === 100 ? undefined
    : activationStats(model, x, [lastSyn], { percentile: outP, percentileOf: 'nonzero', runtime: options.runtime })[0];
  const statByLayer = new Map(stats.map((s) => [s.layer, s]));
  let inputMax = 0;
  for (const v of x) inputMax = Math.max(inputMax, Math.abs(v));
  if (!(inputMax > 0)) inputMax = 1;

  const spec: LayerSpec[] = [];
  const out: ConvertedLayer[] = [];
  const notes: string[] = [];
  const positive = (v: number) => (v > 0 && Number.isFinite(v) ? v : 1);
  let shape: number[] = [...model.inputShape];
  let specInputShape: [number, number, number] | undefined;
  // λ of the current activation, per channel (shape[0] channels; features for a flat activation).
  let lam: Float64Array = new Float64Array(shape[0]).fill(encoding === 'poisson' ? inputMax : 1);
  let padPending: [number, number, number, number] | undefined;
  let padLayer: AnnLayer | undefined;
  const started = () => spec.length > 0;

  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    switch (l.op) {
      case 'relu':
        if (!statOf.has(i - 1)) throw new SpikeletError('unsupported', WHERE, label(l), 'a ReLU directly after a Gemm/MatMul/Conv', layers[i - 1]?.op ?? 'the input');
        break;
      case 'pad':
        if (l.value !== 0) throw new SpikeletError('unsupported', WHERE, `${label(l)}.value`, '0 (zero padding folds into the next Conv or AveragePool)', l.value);
        padPending = padPending ? [0, 1, 2, 3].map((k) => padPending![k] + l.pads[k]) as [number, number, number, number] : [...l.pads];
        padLayer = l;
        shape = [...l.outShape];
        break;
      case 'reshape': {
        if (padPending) throw new SpikeletError('unsupported', WHERE, label(padLayer!), 'a Pad followed by a Conv or AveragePool', l.op);
        if (!started()) {
          shape = [...l.outShape];
          lam = new Float64Array(shape[0]).fill(encoding === 'poisson' ? inputMax : 1);
          break;
        }
        if (l.outShape.length === 1 && l.inShape.length === 3) {
          spec.push({ type: 'flatten' });
          const per = l.inShape[1] * l.inShape[2];
          lam = Float64Array.from({ length: shapeSize(l.inShape) }, (_, k) => lam[Math.floor(k / per)]);
        } else if (!(l.outShape.length === l.inShape.length && l.outShape.every((d, k) => d === l.inShape[k]))) {
          throw new SpikeletError('unsupported', WHERE, `${label(l)}.shape`, 'a flatten of [C, H, W] (other reshapes inside the network have no SNN layout)', l.outShape);
        }
        shape = [...l.outShape];
        break;
      }
      case 'avgpool':
      case 'maxpool':
      case 'globalavgpool': {
        if (!started()) throw new SpikeletError('unsupported', WHERE, label(l), 'pooling after a Conv (plans do not pool the network input; pool the data instead)', 'pooling of the input');
        let kernel: [number, number], stride: [number, number], pads: [number, number, number, number];
        if (l.op === 'globalavgpool') {
          kernel = [l.inShape[1], l.inShape[2]];
          stride = kernel;
          pads = [0, 0, 0, 0];
        } else {
          kernel = [l.kernel[0], l.kernel[1]];
          stride = [l.stride[0], l.stride[1]];
          pads = [...l.pads];
          if (l.op === 'avgpool' && !l.countIncludePad && pads.some((p) => p > 0)) {
            throw new SpikeletError('unsupported', WHERE, `${label(l)}.count_include_pad`, '1 when the pooling pads (average pooling of spikes divides by the whole window)', 0);
          }
          if (l.op === 'maxpool') {
            if (padPending || pads.some((p) => p > 0)) throw new SpikeletError('unsupported', WHERE, `${label(l)}.pads`, 'no padding for MaxPool (approximated by average pooling)', pads);
            notes.push(`${l.name}: MaxPool approximated by average pooling of spike rates`);
          }
        }
        if (padPending) {
          pads = [0, 1, 2, 3].map((k) => pads[k] + padPending![k]) as [number, number, number, number];
          padPending = undefined;
        }
        if (pads[0] !== pads[2] || pads[1] !== pads[3]) throw new SpikeletError('unsupported', WHERE, `${label(l)}.pads`, 'symmetric padding (top = bottom, left = right)', pads);
        spec.push({ type: 'avgpool2d', kernelSize: kernel, stride, padding: [pads[0], pads[1]] });
        shape = [...l.outShape];
        break;
      }
      case 'dense':
      case 'conv': {
        const s = statByLayer.get(statOf.get(i)!)!;
        const kind = i === lastSyn ? 'output' : 'hidden';
        const C = l.outShape[0];
        let lamOut: Float64Array;
        if (kind === 'output') {
          const m = outStats ? outStats.percentile : s.max;
          lamOut = new Float64Array(C).fill(positive(m));
        } else if (norm === 'channel') {
          lamOut = Float64Array.from(options.percentile === 100 ? s.maxPerChannel : s.percentilePerChannel, positive);
        } else lamOut = new Float64Array(C).fill(positive(s.percentile));
        if (!started()) {
          if (l.op === 'conv') {
            if (shape.length !== 3) throw new SpikeletError('unsupported', WHERE, label(l), 'a [C, H, W] input', shape);
            specInputShape = [shape[0], shape[1], shape[2]];
          }
        }
        if (l.op === 'dense') {
          if (padPending) throw new SpikeletError('unsupported', WHERE, label(padLayer!), 'a Pad followed by a Conv or AveragePool', 'Gemm');
          spec.push(denseSpec(l, lam, lamOut));
        } else {
          let pads = [...l.pads];
          if (padPending) {
            pads = pads.map((p, k) => p + padPending![k]);
            padPending = undefined;
          }
          if (pads[0] !== pads[2] || pads[1] !== pads[3]) throw new SpikeletError('unsupported', WHERE, `${label(l)}.pads`, 'symmetric padding (top = bottom, left = right)', pads);
          spec.push(convSpec(l, lam, lamOut, [pads[0], pads[1]]));
        }
        spec.push({ type: 'if', r: 1 / dt, vThreshold: 1, vReset: 0, reset: 'subtract' });
        out.push({ synapse: l.name, activation: s.output, kind, lambda: norm === 'channel' && kind === 'hidden' ? lamOut : lamOut.subarray(0, 1), specLayer: spec.length - 1 });
        lam = lamOut;
        shape = [...l.outShape];
        if (kind === 'output') i = layers.length; // trailing ReLU / reshapes change nothing the readout sees
        break;
      }
    }
  }
  const inputSize = inSize;
  const netSpec: NetworkSpec = { inputSize, ...(specInputShape ? { inputShape: specInputShape } : {}), dt, layers: spec };
  const graph = networkToGraph(netSpec, {
    producer: 'spikelet convertAnn', conversion_encoding: encoding, conversion_readout: readout, conversion_input_max: inputMax,
    conversion_percentile: options.percentile ?? 99.9, conversion_normalization: norm,
  });
  return { spec: netSpec, graph, encoding, readout, inputMax, inputScale: inputMax / 127, layers: out, stats, notes };
}

/** Normalized dense layer: W'[o, i] = W[o, i]·λ_in[i]/λ_out[o], b' = b/λ_out. */
function denseSpec(l: AnnDense, lamIn: Float64Array, lamOut: Float64Array): LayerSpec {
  const { inFeatures: K, outFeatures: N } = l;
  if (lamIn.length !== K) {
    throw new SpikeletError('shape_mismatch', WHERE, `layers "${l.name}" (dense).inFeatures`, `${lamIn.length} (the activation before it)`, K);
  }
  const weight = new Float32Array(N * K), bias = new Float32Array(N);
  for (let o = 0; o < N; o++) {
    for (let k = 0; k < K; k++) weight[o * K + k] = (l.weight[o * K + k] * lamIn[k]) / lamOut[o];
    bias[o] = l.bias[o] / lamOut[o];
  }
  return { type: 'linear', outFeatures: N, weight, bias };
}

/** Normalized conv layer, groups expanded to a dense kernel [M, C, kh, kw]. */
function convSpec(l: AnnConv, lamIn: Float64Array, lamOut: Float64Array, padding: [number, number]): LayerSpec {
  const [C] = l.inShape, M = l.outShape[0], [kh, kw] = l.kernel, g = l.group, Cg = C / g, Mg = M / g, kk = kh * kw;
  const weight = new Float32Array(M * C * kk), bias = new Float32Array(M);
  for (let m = 0; m < M; m++) {
    const gi = Math.floor(m / Mg);
    for (let c = 0; c < Cg; c++) {
      const cin = gi * Cg + c;
      for (let k = 0; k < kk; k++) weight[(m * C + cin) * kk + k] = (l.weight[(m * Cg + c) * kk + k] * lamIn[cin]) / lamOut[m];
    }
    bias[m] = l.bias[m] / lamOut[m];
  }
  return {
    type: 'conv2d', outChannels: M, kernelSize: [kh, kw], weight, bias, stride: [l.stride[0], l.stride[1]], padding,
    dilation: [l.dilation[0], l.dilation[1]],
  };
}
