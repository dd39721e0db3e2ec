// Losses on the output layer's time integral and firing-rate regularisers. Every loss here is
// a function of acc[b, o] = Σ_t y[t, b, o] (y = readout membrane a for an LI layer, spikes s for
// a spiking one), so its gradient ∂L/∂y[t] = ∂L/∂acc is the same at every step: the backward
// kernels take it as one [batch, n] array. Shapes are checked by the trainer before any work.
import { SpikeletError } from '../errors.js';

/** Loss on the output layer. */
export interface LossSpec {
  /**
   * `ce_mean` (default): cross-entropy on the time-mean readout membrane (integral CE);
   * `ce_sum`: on its time sum; `ce_count`: on spike counts of a spiking output layer;
   * `mse_rate`: mean squared error between output spike rates and `onRate`/`offRate` targets.
   */
  readonly type?: 'ce_mean' | 'ce_sum' | 'ce_count' | 'mse_rate';
  /** Label smoothing ε for the cross-entropies: target (1 − ε)·onehot + ε/O. Default 0. */
  readonly labelSmoothing?: number;
  /** mse_rate targets (spikes per step) for the correct class and the others (defaults 0.8, 0.05). */
  readonly onRate?: number;
  readonly offRate?: number;
}

/**
 * Firing-rate regularisers on the hidden spiking layers (Zenke & Vogels 2021 style), on
 * r_j = (spikes of neuron j)/(T·B): silence below a floor costs weight·mean_j relu(floor − r_j)²,
 * activity above a ceiling costs weight·mean_j relu(r_j − ceiling)².
 */
export interface RateRegularizer {
  readonly floor?: { readonly rate: number; readonly weight: number };
  readonly ceiling?: { readonly rate: number; readonly weight: number };
}

/** The value and gradient of a loss on one batch. */
export interface LossResult {
  readonly loss: number;
  /** ∂L/∂acc [batch, O] (row stride `stride`). */
  readonly dAcc: Float64Array;
  /** Samples whose argmax equals the label. */
  readonly correct: number;
  /** Predicted class per sample. */
  readonly predictions: Int32Array;
}

/** Names of the supported losses. */
export const LOSS_TYPES = ['ce_mean', 'ce_sum', 'ce_count', 'mse_rate'] as const;

/**
 * Checks a loss spec against the output layer.
 * @throws SpikeletError for unknown types, smoothing outside [0, 1), or a loss that needs spikes on an LI readout.
 */
export function checkLoss(loss: LossSpec | undefined, outputSpiking: boolean, where = 'train'): Required<LossSpec> {
  const l = loss ?? {};
  const type = l.type ?? (outputSpiking ? 'ce_count' : 'ce_mean');
  if (!LOSS_TYPES.includes(type)) throw new SpikeletError('invalid_param', where, 'loss.type', LOSS_TYPES.join(' | '), type);
  if ((type === 'ce_count' || type === 'mse_rate') && !outputSpiking) {
    throw new SpikeletError('invalid_param', where, 'loss.type', 'ce_mean or ce_sum for an li readout (it does not spike)', type);
  }
  if ((type === 'ce_mean' || type === 'ce_sum') && outputSpiking) {
    throw new SpikeletError('invalid_param', where, 'loss.type', 'ce_count or mse_rate for a spiking output layer', type);
  }
  const eps = l.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps < 1)) throw new SpikeletError('invalid_param', where, 'loss.labelSmoothing', 'a number in [0, 1)', eps);
  const on = l.onRate ?? 0.8, off = l.offRate ?? 0.05;
  for (const [k, v] of [['onRate', on], ['offRate', off]] as const) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new SpikeletError('invalid_param', where, `loss.${k}`, 'a rate in [0, 1]', v);
  }
  return { type, labelSmoothing: eps, onRate: on, offRate: off };
}

/**
 * Loss, gradient and accuracy from the time integral of the output layer.
 * @param loss A checked loss spec.
 * @param acc Σ_t y[t] as [batch, stride] (first `O` columns used).
 * @param labels Class per sample.
 * @param batch Samples.
 * @param O Classes (output neurons).
 * @param stride Row stride of `acc` and of the returned gradient.
 * @param T Steps.
 */
export function computeLoss(loss: Required<LossSpec>, acc: ArrayLike<number>, labels: ArrayLike<number>, batch: number,
                            O: number, stride: number, T: number): LossResult {
  const dAcc = new Float64Array(batch * stride);
  const predictions = new Int32Array(batch);
  let total = 0, correct = 0;
  const z = new Float64Array(O);
  for (let b = 0; b < batch; b++) {
    const y = labels[b];
    const scale = loss.type === 'ce_mean' || loss.type === 'mse_rate' ? 1 / T : 1;
    let best = 0;
    for (let o = 0; o < O; o++) {
      z[o] = acc[b * stride + o] * scale;
      if (z[o] > z[best]) best = o;
    }
    predictions[b] = best;
    if (best === y) correct++;
    if (loss.type === 'mse_rate') {
      for (let o = 0; o < O; o++) {
        const d = z[o] - (o === y ? loss.onRate : loss.offRate);
        total += (d * d) / O;
        dAcc[b * stride + o] = (2 * d * scale) / (O * batch);
      }
      continue;
    }
    let m = -Infinity;
    for (let o = 0; o < O; o++) m = Math.max(m, z[o]);
    let se = 0;
    for (let o = 0; o < O; o++) se += Math.exp(z[o] - m);
    const lse = m + Math.log(se);
    const eps = loss.labelSmoothing;
    for (let o = 0; o < O; o++) {
      const target = (o === y ? 1 - eps : 0) + eps / O;
      total += target * (lse - z[o]);
      dAcc[b * stride + o] = ((Math.exp(z[o] - lse) - target) * scale) / batch;
    }
  }
  return { loss: total / batch, dAcc, correct, predictions };
}

/**
 * Checks a rate regulariser.
 * @throws SpikeletError for negative weights or rates outside [0, 1].
 */
export function checkRegularizer(r: RateRegularizer | undefined, where = 'train'): RateRegularizer | undefined {
  if (r === undefined) return undefined;
  for (const k of ['floor', 'ceiling'] as const) {
    const v = r[k];
    if (v === undefined) continue;
    if (typeof v !== 'object' || !(v.rate >= 0 && v.rate <= 1)) throw new SpikeletError('invalid_param', where, `regularizer.${k}.rate`, 'a rate in [0, 1]', v?.rate);
    if (!(typeof v.weight === 'number' && v.weight >= 0 && Number.isFinite(v.weight))) {
      throw new SpikeletError('invalid_param', where, `regularizer.${k}.weight`, 'a finite number >= 0', v.weight);
    }
  }
  return r;
}

/**
 * Rate regulariser of one layer: its loss and the per-neuron gradient on every spike s[t, b, j].
 * @param r The regulariser.
 * @param counts Spikes per neuron summed over the batch and time, [n].
 * @param n Neurons.
 * @param T Steps.
 * @param batch Samples.
 */
export function rateRegularizer(r: RateRegularizer, counts: ArrayLike<number>, n: number, T: number, batch: number):
  { loss: number; grad: Float64Array } {
  const grad = new Float64Array(n);
  let loss = 0;
  const N = T * batch;
  for (let j = 0; j < n; j++) {
    const rate = counts[j] / N;
    if (r.floor && rate < r.floor.rate) {
      const d = r.floor.rate - rate;
      loss += (r.floor.weight * d * d) / n;
      grad[j] -= (2 * r.floor.weight * d) / (n * N);
    }
    if (r.ceiling && rate > r.ceiling.rate) {
      const d = rate - r.ceiling.rate;
      loss += (r.ceiling.weight * d * d) / n;
      grad[j] += (2 * r.ceiling.weight * d) / (n * N);
    }
  }
  return { loss, grad };
}
