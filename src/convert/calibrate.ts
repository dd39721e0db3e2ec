// Activation statistics of an ANN on calibration data: the data-based normalization of
// Diehl et al. 2015 ("max") and Rueckauer et al. 2017 ("robust": a high percentile, which
// ignores the few outliers that would otherwise make every other neuron fire slowly).
// Percentiles follow numpy's default (linear interpolation between order statistics). The
// statistics are exact: every activation of the requested layers is kept (Float32, samples ×
// layer size), then sorted once per layer or channel; subsample a very large data set first.
import { SpikeletError } from '../errors.js';
import { shapeSize, type AnnModel } from '../io/onnx/model.js';
import { AnnRunner, type RunAnnOptions } from './ann.js';

/** Progress of a long conversion step (calibration, evaluation). */
export interface ConvertProgress {
  readonly phase: 'calibrate' | 'evaluate' | 'qat';
  readonly done: number;
  readonly total: number;
}

/** Options of {@link activationStats}. */
export interface ActivationStatsOptions extends RunAnnOptions {
  /** Percentile in (0, 100] (default 99.9; 100 is the maximum). */
  readonly percentile?: number;
  /** Over every element (`all`, default) or only the strictly positive ones (`nonzero`, snntoolbox's). */
  readonly percentileOf?: 'all' | 'nonzero';
  /** Called after each chunk of samples. */
  readonly onProgress?: (p: ConvertProgress) => void;
}

/** Statistics of one layer's output. */
export interface LayerStats {
  /** Index of the layer in `model.layers`, and the ONNX tensor it produces. */
  readonly layer: number;
  readonly output: string;
  readonly max: number;
  readonly min: number;
  /** The requested percentile over the whole layer. */
  readonly percentile: number;
  /** The same per channel (`[C]` for `[C, H, W]` outputs, one per feature for `[N]`). */
  readonly maxPerChannel: Float64Array;
  readonly percentilePerChannel: Float64Array;
  readonly fractionZero: number;
  readonly elements: number;
}

/**
 * numpy-style percentile (linear interpolation) of sorted values.
 * @param sorted Ascending values.
 * @param p Percentile in [0, 100].
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank), hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

function percentileOfValues(values: Float32Array, p: number, nonzero: boolean): number {
  const v = nonzero ? values.filter((x) => x > 0) : values.slice();
  v.sort();
  return percentileSorted(v, p);
}

/**
 * Runs the ANN on calibration data and returns the statistics of the chosen layers' outputs.
 * @param model The ANN.
 * @param x Calibration inputs `[samples, inputSize]`.
 * @param layers Indices into `model.layers` whose outputs to measure.
 * @param options Percentile, its convention, runtime, progress callback.
 * @returns One {@link LayerStats} per requested layer, in the order given.
 * @example
 * const relus = ann.layers.flatMap((l, i) => (l.op === 'relu' ? [i] : []));
 * const stats = activationStats(ann, train.x, relus, { percentile: 99.9 });
 */
export function activationStats(model: AnnModel, x: Float32Array, layers: readonly number[], options: ActivationStatsOptions = {}): LayerStats[] {
  const p = options.percentile ?? 99.9;
  if (typeof p !== 'number' || !(p > 0 && p <= 100)) {
    throw new SpikeletError('invalid_param', 'activationStats', 'percentile', 'a number in (0, 100]', p);
  }
  const nonzero = (options.percentileOf ?? 'all') === 'nonzero';
  const runner = new AnnRunner(model, options);
  const N = x.length / runner.inputSize;
  if (!Number.isInteger(N) || N < 1) {
    throw new SpikeletError('shape_mismatch', 'activationStats', 'x.length', `a positive multiple of ${runner.inputSize}`, x.length);
  }
  const wanted = new Map<number, { buf: Float32Array; filled: number }>();
  for (const i of layers) {
    if (!Number.isInteger(i) || i < 0 || i >= model.layers.length) {
      throw new SpikeletError('invalid_param', 'activationStats', 'layers', `indices in [0, ${model.layers.length - 1}]`, i);
    }
    wanted.set(i, { buf: new Float32Array(N * shapeSize(model.layers[i].outShape)), filled: 0 });
  }
  // Run in chunks so progress can be reported; the runner chunks again internally.
  const chunk = 256;
  for (let s0 = 0; s0 < N; s0 += chunk) {
    const n = Math.min(chunk, N - s0);
    runner.run(x.subarray(s0 * runner.inputSize, (s0 + n) * runner.inputSize), (i, values) => {
      const w = wanted.get(i);
      if (!w) return;
      w.buf.set(values, w.filled);
      w.filled += values.length;
    });
    options.onProgress?.({ phase: 'calibrate', done: s0 + n, total: N });
  }
  return layers.map((i) => {
    const l = model.layers[i];
    const { buf } = wanted.get(i)!;
    const size = shapeSize(l.outShape);
    const C = l.outShape[0];
    const per = size / C;
    let max = -Infinity, min = Infinity, zeros = 0;
    for (const v of buf) {
      if (v > max) max = v;
      if (v < min) min = v;
      if (v === 0) zeros++;
    }
    const maxC = new Float64Array(C).fill(-Infinity), pC = new Float64Array(C);
    const ch = new Float32Array(N * per);
    for (let c = 0; c < C; c++) {
      for (let s = 0; s < N; s++) {
        const row = buf.subarray(s * size + c * per, s * size + (c + 1) * per);
        ch.set(row, s * per);
        for (const v of row) if (v > maxC[c]) maxC[c] = v;
      }
      pC[c] = percentileOfValues(ch, p, nonzero);
    }
    return {
      layer: i, output: l.output, max, min, percentile: percentileOfValues(buf, p, nonzero),
      maxPerChannel: maxC, percentilePerChannel: pC, fractionZero: zeros / buf.length, elements: buf.length,
    };
  });
}
