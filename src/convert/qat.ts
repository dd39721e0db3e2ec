// Quantization-aware training (QAT) of a converted or trained SNN with the wasm BPTT engine
// (src/train/engine.ts): every step runs forward and backward with fake-quantized weights and
// applies the gradient to the float ("master") weights, the straight-through estimator of
// Bengio et al. 2013 / Jacob et al. 2018 (∂W̃/∂W taken as 1; the scales are treated as constants).
//
// Fake quantization IS the deployment quantizer: the float spec with the current master weights
// goes through `quantizeNetwork` (src/quant/quantize.ts: s_w[o] = max|W[o,:]|/127, round half to
// even, clamp ±127; bias rounded to the membrane unit θ/4096), and the integers are read back as
// floats, W̃ = W_q·s_w, b̃ = b_q·unit/gain. So the weights the engine trains through are exactly
// the ones the int8 Plan will run, and nothing about the rounding is restated here. Analog inputs
// are fake-quantized like the Plan's input op (step `inputScale`, the IntegerReference formula).
//
// Readout ↔ loss. A converted SNN is read as `membrane` (count·θ + v of the output IF layer,
// which for reset by subtraction equals Σ_t I[t], the time integral of the output current) or
// `spikes` (counts). The engine's losses act on acc = Σ_t y[t] of the output layer; an LI cell
// with β = 0 has a[t] = I[t], so training the output layer as LI(β = 0) with `ce_sum` gives
// acc = Σ_t I[t]: exactly the membrane readout's score (the same argmax). For `spikes` the output
// layer stays IF and the loss is `ce_count` on spike counts. A trained SNN's LI readout is kept
// as it is (`ce_mean`, as the trainer trains it).
//
// Scope: stacks of Linear (+ cell) layers, the engine's model; cells IF, LIF (v_leak = 0) and a
// last LI, with a unit input gain (dt·r = 1 for IF, dt·r/τ = 1 for LIF/LI: the conversions and
// `exportNetwork` produce these). Conv2d has no training kernels yet, so converted CNNs are refused.
import { SpikeletError } from '../errors.js';
import { quantizeNetwork, type QuantizedNetwork, type QuantizeOptions } from '../quant/quantize.js';
import { clamp, roundHalfEven } from '../quant/rounding.js';
import { cellConstants } from '../runtime/cells.js';
import { validateNetwork, type Block, type LayerSpec, type NetworkSpec } from '../runtime/network.js';
import { Runtime } from '../runtime/runtime.js';
import { TrainEngine } from '../train/engine.js';
import { checkLoss, computeLoss, type LossSpec } from '../train/losses.js';
import { resolveModel, type TrainLayerParams, type TrainLayerSpec } from '../train/model.js';
import { checkOptimizer, Optimizer, type OptimizerSpec } from '../train/optim.js';
import type { SurrogateSpec } from '../train/surrogates.js';
import { epochPermutation } from '../train/trainer.js';
import type { ConvertProgress } from './calibrate.js';
import type { InputEncoding, Readout } from './convert.js';
import type { LabeledData } from './data.js';
import { encodeInput } from './evaluate.js';
import { seededRandom } from '../util/random.js';

/** Progress of {@link qat}: after every batch. */
export interface QatProgress extends ConvertProgress {
  readonly phase: 'qat';
  /** 0-based epoch. */
  readonly epoch: number;
  readonly epochs: number;
  /** Mean loss and accuracy (fake-quantized forward) over the epoch so far. */
  readonly loss: number;
  readonly accuracy: number;
}

/** Options of {@link qat}. */
export interface QatOptions {
  /** Passes over the training rows (default 3; 0 returns the PTQ model unchanged). */
  readonly epochs?: number;
  /** Time steps per sample during training (default 8). */
  readonly timesteps?: number;
  /** How the output layer is read (default `membrane`; see the file header for the loss each implies). */
  readonly readout?: Readout;
  /** How inputs are presented (default `analog`). */
  readonly encoding?: InputEncoding;
  /** Poisson: the input value that spikes every step (default 1). */
  readonly inputMax?: number;
  /** The deployment quantization (as for `compile`): input scale, weight granularity. */
  readonly quantization?: QuantizeOptions;
  /** Optimizer of the float weights (default Adam, lr 3e-5, no weight decay). */
  readonly optimizer?: OptimizerSpec;
  /** Samples per step (default 32). */
  readonly batchSize?: number;
  /** Surrogate spike derivative of the hidden layers (default arctan α = 2). */
  readonly surrogate?: SurrogateSpec;
  /**
   * `labels` (default): the readout's loss against the labels; `distill`: mean squared error
   * between the fake-quantized network's scores (acc/T) and the float network's on the same rows,
   * so training removes the quantization error instead of refitting the labels.
   */
  readonly objective?: 'labels' | 'distill';
  /** Train the biases too (default true). */
  readonly trainBias?: boolean;
  /** Seed of the batch order and of Poisson inputs (default 1). */
  readonly seed?: number;
  /** Runtime for the training engine (default: a new one; its memory is released afterwards). */
  readonly runtime?: Runtime;
  /** Called after every batch. */
  readonly onProgress?: (p: QatProgress) => void;
}

/** One epoch of {@link qat}. */
export interface QatEpoch {
  readonly epoch: number;
  /** Mean training loss and accuracy with fake-quantized weights (at `timesteps`). */
  readonly loss: number;
  readonly accuracy: number;
}

/** Result of {@link qat}. */
export interface QatResult {
  /** The fine-tuned float network (same layers as the input; new weights and biases). */
  readonly spec: NetworkSpec;
  /** Its integer deployment model: what `compile(rt, spec, { precision: 'int8', quantization })` runs. */
  readonly quantized: QuantizedNetwork;
  readonly history: readonly QatEpoch[];
}

const WHERE = 'qat';

interface Mapped {
  /** Indices in spec.layers of each (linear, cell) pair. */
  readonly pairs: readonly (readonly [number, number])[];
  readonly layers: TrainLayerSpec[];
  readonly loss: LossSpec;
  readonly gain: Float64Array[];
}

/** The engine's model of a NetworkSpec (Linear + cell pairs), checked, with the loss of the readout. */
function mapSpec(spec: NetworkSpec, readout: Readout, surrogate: SurrogateSpec | undefined, trainBias: boolean): Mapped {
  const net = validateNetwork(spec, WHERE);
  const pairs: [number, number][] = [];
  for (let i = 0; i < spec.layers.length; i++) {
    const l = spec.layers[i];
    const next = spec.layers[i + 1];
    if (l.type !== 'linear' || !next || !['if', 'lif', 'li'].includes(next.type)) {
      const what = l.type === 'linear' ? `linear followed by ${next?.type ?? 'nothing'}` : l.type;
      throw new SpikeletError('unsupported', WHERE, `spec.layers[${i}].type`,
        'Linear + IF/LIF/LI pairs (the training engine has no conv, pooling or flatten kernels; QAT of converted CNNs is not supported)', what);
    }
    pairs.push([i, i + 1]);
    i++;
  }
  const last = net.blocks.length - 1;
  const layers: TrainLayerSpec[] = [];
  const gain: Float64Array[] = [];
  let loss: LossSpec = { type: 'ce_sum' };
  net.blocks.forEach((b, k) => {
    const f = `spec.layers[${b.layerIndex}]`;
    const c = cellConstants(b, net.dt);
    gain.push(c.beta);
    for (let o = 0; o < b.n; o++) {
      if (Math.abs(c.beta[o] - 1) > 1e-6) {
        throw new SpikeletError('unsupported', WHERE, `${f}.r`, 'an input gain of 1 per step (IF: r = 1/dt; LIF/LI: r = τ/dt), as conversion and exportNetwork produce', c.beta[o]);
      }
      if (c.gamma[o] !== 0) throw new SpikeletError('unsupported', WHERE, `${f}.vLeak`, '0 (the training cells have no leak potential)', b.vLeak[o]);
    }
    if (b.refractory !== 0) throw new SpikeletError('unsupported', WHERE, `${f}.refractory`, '0 (the training cells have no refractory period)', b.refractory);
    if (b.reset === 'zero' && b.vReset.some((v) => v !== 0)) throw new SpikeletError('unsupported', WHERE, `${f}.vReset`, '0 with reset zero', b.vReset.find((v) => v !== 0));
    const bias = trainBias;
    const base = { size: b.n, bias, ...(b.recurrent ? { recurrent: true } : {}), ...(surrogate ? { surrogate } : {}) };
    if (b.kind === 'li') {
      layers.push({ ...base, cell: 'li', beta: Array.from(c.alpha) });
      loss = { type: 'ce_mean' };
      return;
    }
    if (b.reset === 'none') throw new SpikeletError('unsupported', WHERE, `${f}.reset`, '"subtract" or "zero"', b.reset);
    const spiking = { threshold: Array.from(b.vThreshold), reset: b.reset };
    if (k === last && readout === 'membrane') {
      // count·θ + v of a subtracting IF output = Σ_t I[t] = acc of an LI with β = 0.
      if (b.kind !== 'if' || b.reset !== 'subtract') {
        throw new SpikeletError('unsupported', WHERE, 'readout', `"spikes" for a ${b.kind} output layer with reset ${b.reset} (the membrane readout is trained as Σ_t I, exact only for IF with reset by subtraction)`, readout);
      }
      if (b.recurrent) throw new SpikeletError('unsupported', WHERE, `${f}.recurrent`, 'no recurrent weights on a membrane-read output layer', 'recurrent');
      layers.push({ ...base, cell: 'li', beta: 0 });
      loss = { type: 'ce_sum' };
      return;
    }
    if (b.kind === 'if') layers.push({ ...base, ...spiking, cell: 'if' });
    else if (b.kind === 'lif') layers.push({ ...base, ...spiking, cell: 'lif', beta: Array.from(c.alpha) });
    else throw new SpikeletError('unsupported', WHERE, `${f}.type`, 'if, lif or li', b.kind);
    if (k === last) loss = { type: 'ce_count' };
  });
  return { pairs, layers, loss, gain };
}

/** The spec with the weights, biases and recurrent weights of `params` (API layout) in its Linear + cell pairs. */
function withParams(spec: NetworkSpec, m: Mapped, params: readonly TrainLayerParams[]): NetworkSpec {
  const layers: LayerSpec[] = [...spec.layers];
  m.pairs.forEach(([li, ci], k) => {
    const p = params[k];
    const lin = spec.layers[li] as Extract<LayerSpec, { type: 'linear' }>;
    layers[li] = { ...lin, weight: Float32Array.from(p.weight), bias: Array.from(p.bias) };
    if (p.recurrent) layers[ci] = { ...(spec.layers[ci] as Extract<LayerSpec, { type: 'if' }>), recurrent: Float32Array.from(p.recurrent) };
  });
  return { ...spec, layers };
}

/** The engine's parameters of a spec's blocks (β, θ from the mapped model). */
function paramsOf(blocks: readonly Block[], m: Mapped): TrainLayerParams[] {
  const model = resolveModel({ inputSize: blocks[0].inN, layers: m.layers }, WHERE); // θ, β as the engine resolves them
  return blocks.map((b, k) => ({
    weight: Float32Array.from(b.weight), bias: Float32Array.from(b.bias), recurrent: b.recurrent ? Float32Array.from(b.recurrent) : undefined,
    beta: model.layers[k].beta0.slice(), threshold: model.layers[k].threshold0.slice(),
  }));
}

/** W̃ = W_q·s_w, b̃ = b_q·unit/gain, recurrent likewise: the floats the int8 Plan computes with. */
function dequantize(q: QuantizedNetwork, master: readonly TrainLayerParams[], gain: readonly Float64Array[]): TrainLayerParams[] {
  return q.blocks.map((b, k) => {
    const weight = new Float32Array(b.n * b.inN);
    for (let o = 0; o < b.n; o++) for (let i = 0; i < b.inN; i++) weight[o * b.inN + i] = b.weight[o * b.inN + i] * b.weightScale[o];
    const bias = Float32Array.from(b.bias, (v, o) => (v * b.unit[o]) / gain[k][o]);
    let recurrent: Float32Array | undefined;
    if (b.recurrent) {
      recurrent = new Float32Array(b.n * b.n);
      for (let o = 0; o < b.n; o++) for (let i = 0; i < b.n; i++) recurrent[o * b.n + i] = b.recurrent[o * b.n + i] * b.recurrentScale![o];
    }
    return { ...master[k], weight, bias, recurrent };
  });
}

/**
 * Quantization-aware fine-tuning of a converted (or trained) SNN for its int8 deployment.
 * Each step fake-quantizes the weights with the deployment quantizer, runs forward and backward
 * through the wasm training engine with them, and updates the float weights with that gradient
 * (straight-through estimator); the result is quantized by the normal PTQ path.
 * @param spec A stack of Linear + IF/LIF layers (e.g. `convertAnn(...).spec` of an MLP), optionally ending in LI.
 * @param data Labeled training rows, features as the spec's input (e.g. the calibration rows).
 * @param options Epochs, T, readout, quantization (use the converted SNN's `inputScale`), optimizer, seed.
 * @returns The fine-tuned float spec, its integer model and the loss per epoch.
 * @throws SpikeletError `unsupported` for conv/pooling layers (no conv training kernels) or cells the engine cannot train;
 *   `invalid_param` / `shape_mismatch` naming the option or the data field.
 * @example
 * const snn = convertAnn(ann, { calibration: train.x });
 * const tuned = qat(snn.spec, train, { epochs: 3, timesteps: 8, quantization: { inputScale: snn.inputScale } });
 * const plan = compile(rt, tuned.spec, { precision: 'int8', quantization: { inputScale: snn.inputScale } });
 */
export function qat(spec: NetworkSpec, data: LabeledData, options: QatOptions = {}): QatResult {
  const int = (field: string, v: unknown, dflt: number, lo: number, hi: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new SpikeletError('invalid_param', WHERE, field, `an integer in [${lo}, ${hi}]`, v);
    return v;
  };
  const epochs = int('epochs', options.epochs, 3, 0, 10000);
  const T = int('timesteps', options.timesteps, 8, 1, 100000);
  const batchSize = int('batchSize', options.batchSize, 32, 1, 65536);
  const seed = int('seed', options.seed, 1, 0, 2 ** 32 - 1);
  const readout = options.readout ?? 'membrane';
  if (readout !== 'membrane' && readout !== 'spikes') throw new SpikeletError('invalid_param', WHERE, 'readout', '"membrane" or "spikes"', readout);
  const encoding = options.encoding ?? 'analog';
  if (encoding !== 'analog' && encoding !== 'poisson') throw new SpikeletError('invalid_param', WHERE, 'encoding', '"analog" or "poisson"', encoding);
  const trainBias = options.trainBias ?? true;
  if (typeof trainBias !== 'boolean') throw new SpikeletError('invalid_param', WHERE, 'trainBias', 'true or false', trainBias);
  const objective = options.objective ?? 'labels';
  if (objective !== 'labels' && objective !== 'distill') throw new SpikeletError('invalid_param', WHERE, 'objective', '"labels" or "distill"', objective);
  const quantOpts: QuantizeOptions = { ...options.quantization, input: encoding === 'poisson' ? 'spikes' : 'analog' };
  const m = mapSpec(spec, readout, options.surrogate, trainBias);
  const net = validateNetwork(spec, WHERE);
  const n = net.inputSize;
  if (!data || !(data.x instanceof Float32Array) || data.features !== n || data.x.length < data.rows * n) {
    throw new SpikeletError('shape_mismatch', WHERE, 'data.features', `${n} (the network's inputs)`, data?.features);
  }
  if (data.rows < 1) throw new SpikeletError('invalid_param', WHERE, 'data.rows', 'at least 1 labeled row', data.rows);
  const O = net.blocks[net.blocks.length - 1].n;
  for (let r = 0; r < data.rows; r++) {
    if (!(data.labels[r] >= 0 && data.labels[r] < O)) throw new SpikeletError('invalid_param', WHERE, `data.labels[${r}]`, `a class in [0, ${O - 1}]`, data.labels[r]);
  }
  const quantize = (s: NetworkSpec) => quantizeNetwork(validateNetwork(s, WHERE), quantOpts);
  if (epochs === 0) return { spec, quantized: quantize(spec), history: [] };

  const model = resolveModel({ inputSize: n, dt: net.dt, layers: m.layers }, WHERE);
  const loss = checkLoss(m.loss, model.layers[model.layers.length - 1].spiking, WHERE);
  const opt = checkOptimizer({ type: 'adam', lr: 3e-5, ...options.optimizer });
  const rt = options.runtime ?? Runtime.createSync();
  const mark = rt.mark();
  try {
    const B = Math.min(batchSize, data.rows);
    const engine = new TrainEngine(rt, model, B, T);
    engine.xBinary = encoding === 'poisson';
    engine.setParams(paramsOf(net.blocks, m));
    const optimizer = new Optimizer(engine, opt);
    // Analog inputs as the Plan's input op sees them: x̃ = clamp(round(x/s), ±127)·s.
    let xs = data.x.subarray(0, data.rows * n);
    if (encoding === 'analog') {
      const s = quantize(spec).inputScale, inv = Math.fround(1 / s);
      xs = Float32Array.from(xs, (v) => clamp(roundHalfEven(Math.fround(v * inv)), -127, 127) * s);
    }
    const rand = seededRandom(seed);
    const L = model.layers.length, stride = engine.stride(L - 1);
    // distill: the float network's scores on every row (its own, unquantized input), once.
    let teacher: Float32Array | undefined;
    if (objective === 'distill') {
      teacher = new Float32Array(data.rows * O);
      const xt = new Float32Array(B * n);
      for (let s0 = 0; s0 < data.rows; s0 += B) {
        const bn = Math.min(B, data.rows - s0);
        xt.fill(0);
        xt.set(data.x.subarray(s0 * n, (s0 + bn) * n));
        engine.loadTimeMajor(encodeInput(xt, n, T, encoding, options.inputMax ?? 1, seededRandom(seed + 1)));
        engine.forward();
        const acc = engine.accumulated(L - 1);
        for (let b = 0; b < bn; b++) for (let o = 0; o < O; o++) teacher[(s0 + b) * O + o] = acc[b * stride + o];
      }
    }
    const steps = Math.ceil(data.rows / B), total = epochs * steps;
    const x = new Float32Array(B * n);
    const labels = new Int32Array(B);
    const history: QatEpoch[] = [];
    const rows = new Int32Array(B);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const perm = epochPermutation(data.rows, seed, epoch);
      let lossSum = 0, correct = 0;
      for (let s0 = 0; s0 < data.rows; s0 += B) {
        const bn = Math.min(B, data.rows - s0);
        x.fill(0);
        for (let b = 0; b < bn; b++) {
          const r = perm[s0 + b];
          x.set(xs.subarray(r * n, (r + 1) * n), b * n);
          labels[b] = data.labels[r];
          rows[b] = r;
        }
        // Straight-through: forward/backward with W̃ = Q(W), then step the float W with ∂L/∂W̃.
        const master = engine.getParams();
        const flat = engine.getFlat();
        engine.setParams(dequantize(quantize(withParams(spec, m, master)), master, m.gain));
        engine.loadTimeMajor(encodeInput(x, n, T, encoding, options.inputMax ?? 1, rand));
        engine.forward();
        const acc = engine.accumulated(L - 1);
        const r = teacher ? distillLoss(acc, teacher, rows, labels, bn, O, stride, T) : computeLoss(loss, acc, labels, bn, O, stride, T);
        engine.setOutputGrad(r.dAcc);
        engine.backward();
        engine.setFlat(flat);
        optimizer.step(total);
        lossSum += r.loss * bn;
        correct += r.correct;
        options.onProgress?.({ phase: 'qat', epoch, epochs, done: s0 + bn, total: data.rows, loss: lossSum / (s0 + bn), accuracy: correct / (s0 + bn) });
      }
      history.push({ epoch, loss: lossSum / data.rows, accuracy: correct / data.rows });
    }
    const tuned = withParams(spec, m, engine.getParams());
    return { spec: tuned, quantized: quantize(tuned), history };
  } finally {
    rt.release(mark);
  }
}

/** Mean over rows and classes of ((acc − teacher)/T)², its gradient ∂L/∂acc and the label accuracy. */
function distillLoss(acc: Float32Array, teacher: Float32Array, rows: Int32Array, labels: Int32Array, bn: number, O: number,
                     stride: number, T: number): { loss: number; dAcc: Float64Array; correct: number } {
  const dAcc = new Float64Array(bn * stride);
  let loss = 0, correct = 0;
  for (let b = 0; b < bn; b++) {
    let best = 0;
    for (let o = 0; o < O; o++) {
      const a = acc[b * stride + o];
      if (a > acc[b * stride + best]) best = o;
      const d = (a - teacher[rows[b] * O + o]) / T;
      loss += (d * d) / (bn * O);
      dAcc[b * stride + o] = (2 * d) / (T * bn * O);
    }
    if (best === labels[b]) correct++;
  }
  return { loss, dAcc, correct };
}
