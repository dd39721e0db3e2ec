// Classification accuracy of an SNN on labeled data, at one or many numbers of time steps from
// a single run: the network is causal, so the score after t steps is read from the first t
// steps of one run of max(T) steps (spike counts so far, and the recorded output membrane).
import { SpikeletError } from '../errors.js';
import { THRESHOLD_I16, type QuantizedNetwork, type QuantizeOptions } from '../quant/quantize.js';
import { validateNetwork, type NetworkSpec } from '../runtime/network.js';
import { compile, type Plan, type Precision } from '../runtime/plan.js';
import { Runtime } from '../runtime/runtime.js';
import type { ConvertProgress } from './calibrate.js';
import type { InputEncoding, Readout } from './convert.js';
import type { LabeledData } from './data.js';
import { seededRandom } from '../util/random.js';

/** Options of {@link evaluateSnn}. */
export interface EvaluateSnnOptions {
  /** Time steps to report (one run of the largest; default 32). */
  readonly timesteps?: number | readonly number[];
  /** `f32` or `int8` (default). */
  readonly precision?: Precision;
  /** How inputs are presented (default `analog`). */
  readonly encoding?: InputEncoding;
  /** How the output layer is read (default `membrane`). */
  readonly readout?: Readout;
  /** Poisson: the input value that spikes every step (default 1). */
  readonly inputMax?: number;
  /** Poisson: seed of the spike trains (default 1). */
  readonly seed?: number;
  /** int8: quantization options (input scale, granularity). */
  readonly quantization?: QuantizeOptions;
  /** int8: deploy this integer model instead of quantizing the spec (e.g. read from a .spk). */
  readonly quantized?: QuantizedNetwork;
  /** Samples stepped together (default 120). */
  readonly batch?: number;
  /** Runtime to compile into (default: a new one). */
  readonly runtime?: Runtime;
  /** Called after each batch. */
  readonly onProgress?: (p: ConvertProgress) => void;
}

/** Accuracy after `timesteps` steps. */
export interface SnnAccuracy {
  readonly timesteps: number;
  readonly accuracy: number;
  readonly correct: number;
  readonly n: number;
}

/** Result of {@link evaluateSnn}. */
export interface SnnEvaluation {
  /** One entry per requested T, ascending. */
  readonly results: readonly SnnAccuracy[];
  /** Mean spikes per sample per step, per cell layer (over the longest run). */
  readonly spikesPerStep: readonly number[];
}


/**
 * Builds the time-major input `[T, B, n]` of B samples: the same analog values every step, or
 * Bernoulli spikes with probability clamp(x / inputMax, 0, 1).
 * @param x Samples `[B, n]`.
 * @param n Features per sample.
 * @param T Steps.
 * @param encoding `analog` or `poisson`.
 * @param inputMax Poisson: the value that spikes every step.
 * @param rand Poisson: uniform random numbers in [0, 1).
 */
export function encodeInput(x: Float32Array, n: number, T: number, encoding: InputEncoding, inputMax = 1, rand: () => number = Math.random): Float32Array {
  const B = x.length / n;
  const seq = new Float32Array(T * B * n);
  if (encoding === 'analog') {
    for (let t = 0; t < T; t++) seq.set(x, t * B * n);
    return seq;
  }
  const inv = 1 / inputMax;
  for (let t = 0; t < T; t++) {
    const o = t * B * n;
    for (let k = 0; k < B * n; k++) seq[o + k] = rand() < x[k] * inv ? 1 : 0;
  }
  return seq;
}

function stepsList(t: number | readonly number[] | undefined): number[] {
  const list = t === undefined ? [32] : typeof t === 'number' ? [t] : [...t];
  if (list.length === 0 || list.some((v) => !Number.isInteger(v) || v < 1 || v > 100000)) {
    throw new SpikeletError('invalid_param', 'evaluateSnn', 'timesteps', 'integers in [1, 100000]', t);
  }
  return [...new Set(list)].sort((a, b) => a - b);
}

/**
 * Measures an SNN's classification accuracy: each sample is presented for T steps and its class
 * is the argmax of the output layer's score (see {@link EvaluateSnnOptions.readout}).
 * @param spec The network (e.g. `convertAnn(...).spec`).
 * @param data Labeled samples, features laid out as the spec's input.
 * @param options Time steps, precision, encoding, readout.
 * @returns Accuracy per T and the mean activity per layer.
 * @example
 * const { results } = evaluateSnn(snn.spec, test, { timesteps: [8, 16, 32], precision: 'int8',
 *   quantization: { inputScale: snn.inputScale } });
 */
export function evaluateSnn(spec: NetworkSpec, data: LabeledData, options: EvaluateSnnOptions = {}): SnnEvaluation {
  const Ts = stepsList(options.timesteps);
  const encoding = options.encoding ?? 'analog';
  const readout = options.readout ?? 'membrane';
  if (encoding !== 'analog' && encoding !== 'poisson') throw new SpikeletError('invalid_param', 'evaluateSnn', 'encoding', '"analog" or "poisson"', encoding);
  if (readout !== 'membrane' && readout !== 'spikes') throw new SpikeletError('invalid_param', 'evaluateSnn', 'readout', '"membrane" or "spikes"', readout);
  const precision = options.precision ?? 'int8';
  const net = validateNetwork(spec, 'evaluateSnn');
  if (data.features !== net.inputSize) {
    throw new SpikeletError('shape_mismatch', 'evaluateSnn', 'data.features', `${net.inputSize} (the network's inputs)`, data.features);
  }
  const B = Math.min(options.batch ?? 120, data.rows);
  const rt = options.runtime ?? Runtime.createSync();
  const mark = rt.mark();
  try {
    const plan = compile(rt, spec, {
      precision, batch: B, eventDriven: 'off', input: encoding === 'poisson' ? 'spikes' : 'analog',
      ...(options.quantization ? { quantization: options.quantization } : {}),
      ...(options.quantized ? { quantized: options.quantized } : {}),
    });
    return runEvaluation(plan, net.blocks[net.blocks.length - 1].vThreshold, data, Ts, encoding, readout, options);
  } finally {
    rt.release(mark);
  }
}

function runEvaluation(plan: Plan, vThreshold: Float64Array, data: LabeledData, Ts: number[], encoding: InputEncoding, readout: Readout,
                       options: EvaluateSnnOptions): SnnEvaluation {
  const B = plan.batch, n = plan.inputSize, K = plan.outputSize, Tmax = Ts[Ts.length - 1];
  // Threshold of the output neurons in the membrane's float units (int8: unit · THRESHOLD_I16, as quantized).
  const q = plan.quantized?.blocks[plan.quantized.blocks.length - 1];
  const theta = Float64Array.from({ length: K }, (_, o) => (q ? q.unit[o] * THRESHOLD_I16 : vThreshold[o]));
  const rand = seededRandom(options.seed ?? 1);
  const correct = new Array<number>(Ts.length).fill(0);
  const layerSpikes = new Float64Array(plan.layers.length);
  const x = new Float32Array(B * n);
  const counts = new Float64Array(B * K);
  for (let s0 = 0; s0 < data.rows; s0 += B) {
    const m = Math.min(B, data.rows - s0);
    x.fill(0);
    x.set(data.x.subarray(s0 * n, (s0 + m) * n));
    plan.reset();
    const r = plan.run(encodeInput(x, n, Tmax, encoding, options.inputMax ?? 1, rand));
    r.layerSpikes.forEach((s, l) => {
      const size = plan.layers[l].size;
      for (let t = 0; t < Tmax; t++) for (let b = 0; b < m; b++) {
        const base = (t * B + b) * size;
        for (let k = 0; k < size; k++) layerSpikes[l] += s[base + k];
      }
    });
    counts.fill(0);
    let next = 0;
    for (let t = 0; t < Tmax; t++) {
      for (let k = 0; k < B * K; k++) counts[k] += r.spikes[t * B * K + k];
      if (t + 1 !== Ts[next]) continue;
      for (let b = 0; b < m; b++) {
        // spikes: the count decides, the membrane breaks ties; membrane: count·θ + v.
        let best = 0, bestScore = -Infinity, bestV = -Infinity;
        for (let o = 0; o < K; o++) {
          const c = counts[b * K + o], v = r.membrane[(t * B + b) * K + o];
          const score = readout === 'spikes' ? c : c * theta[o] + v;
          if (score > bestScore || (readout === 'spikes' && score === bestScore && v > bestV)) { bestScore = score; bestV = v; best = o; }
        }
        if (best === data.labels[s0 + b]) correct[next]++;
      }
      next++;
    }
    options.onProgress?.({ phase: 'evaluate', done: s0 + m, total: data.rows });
  }
  return {
    results: Ts.map((T, k) => ({ timesteps: T, accuracy: correct[k] / data.rows, correct: correct[k], n: data.rows })),
    spikesPerStep: Array.from(layerSpikes, (s) => s / (data.rows * Tmax)),
  };
}
