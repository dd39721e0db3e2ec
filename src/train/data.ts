// Datasets for training: spike (or analog) sequences, sample-major `[N, T, inputSize]` with one
// label per sample (each sample is time-major, as everywhere in spikelet). Encoders and the
// built-in tasks of the recipes (a synthetic temporal task, the UCI digits) live here too.
import { SpikeletError } from '../errors.js';
import { seededRandom } from '../util/random.js';

/** A labelled set of sequences. */
export interface SpikeDataset {
  /** `[N, T, inputSize]`: sample n, step t, input i at `(n·T + t)·inputSize + i`. */
  readonly x: Float32Array | Uint8Array;
  /** Class per sample, integers in [0, classes). */
  readonly labels: Int32Array | Uint8Array | readonly number[];
  readonly T: number;
  readonly inputSize: number;
}

/**
 * Checks a dataset before any work: shapes, labels in range, no NaN or infinity.
 * @param d The dataset.
 * @param inputSize The model's input size.
 * @param classes The number of output neurons.
 * @param where Calling function and field prefix, for errors.
 * @returns The number of samples and whether every input value is 0 or 1.
 */
export function checkDataset(d: SpikeDataset, inputSize: number, classes: number, where = 'train', field = 'data'):
  { n: number; binary: boolean } {
  if (d === null || typeof d !== 'object') throw new SpikeletError('invalid_param', where, field, '{ x, labels, T, inputSize }', d);
  if (!(d.x instanceof Float32Array || d.x instanceof Uint8Array)) throw new SpikeletError('invalid_param', where, `${field}.x`, 'a Float32Array or Uint8Array [N, T, inputSize]', d.x);
  if (!Number.isInteger(d.T) || d.T < 1) throw new SpikeletError('invalid_param', where, `${field}.T`, 'an integer >= 1', d.T);
  if (d.inputSize !== inputSize) throw new SpikeletError('shape_mismatch', where, `${field}.inputSize`, `${inputSize} (the model's inputSize)`, d.inputSize);
  const labels = d.labels as ArrayLike<number>;
  if (!labels || typeof labels.length !== 'number' || labels.length < 1) throw new SpikeletError('invalid_param', where, `${field}.labels`, 'a non-empty array of class indices', labels);
  const n = labels.length;
  if (d.x.length !== n * d.T * inputSize) {
    throw new SpikeletError('shape_mismatch', where, `${field}.x.length`, `labels.length·T·inputSize = ${n}·${d.T}·${inputSize} = ${n * d.T * inputSize}`, d.x.length);
  }
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new SpikeletError('invalid_param', where, `${field}.labels[${i}]`, `an integer in [0, ${classes - 1}]`, y);
  }
  let binary = true;
  const x = d.x;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v !== 0 && v !== 1) {
      binary = false;
      if (!Number.isFinite(v)) {
        const s = Math.floor(i / (d.T * inputSize)), t = Math.floor(i / inputSize) % d.T;
        throw new SpikeletError('invalid_param', where, `${field}.x[${s}][${t}][${i % inputSize}]`, 'a finite number', v);
      }
    }
  }
  return { n, binary };
}

/**
 * Rate (Bernoulli) encoding: value v ∈ [0, 1] spikes with probability `gain·v` at each step.
 * @param values `[N, inputSize]` in [0, 1].
 * @param n Samples.
 * @param inputSize Inputs per sample.
 * @param T Steps.
 * @param seed Seed (same seed, same spikes).
 * @param gain Scale of the spike probability (default 1).
 * @returns `[N, T, inputSize]` 0/1 bytes.
 */
export function rateEncode(values: ArrayLike<number>, n: number, inputSize: number, T: number, seed: number, gain = 1): Uint8Array {
  const rand = seededRandom(seed);
  const out = new Uint8Array(n * T * inputSize);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < inputSize; i++) {
        out[(s * T + t) * inputSize + i] = rand() < gain * values[s * inputSize + i] ? 1 : 0;
      }
    }
  }
  return out;
}

/**
 * The synthetic temporal task of the `classification-rsnn` recipe: 8 inputs in two groups
 * (A = 0..3, B = 4..7), T steps; class = 2·[group B fires in the first half] + [group B fires in
 * the second half]. The active group spikes with probability 0.5 per step, the other 0.05.
 * Both groups fire in classes 1 and 2 over the whole sequence, so only the order separates
 * them: the network must remember the first half.
 * @param n Samples.
 * @param seed Seed.
 * @param T Steps (default 16).
 */
export function temporalTask(n: number, seed: number, T = 16): SpikeDataset {
  const rand = seededRandom(seed);
  const I = 8;
  const x = new Uint8Array(n * T * I);
  const labels = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const y = Math.floor(rand() * 4);
    labels[s] = y;
    for (let t = 0; t < T; t++) {
      const groupB = t < T / 2 ? (y >> 1) & 1 : y & 1;
      for (let i = 0; i < I; i++) {
        const active = (i >= 4 ? 1 : 0) === groupB;
        x[(s * T + t) * I + i] = rand() < (active ? 0.5 : 0.05) ? 1 : 0;
      }
    }
  }
  return { x, labels, T, inputSize: I };
}

/** The UCI digits as numbers: pixels `[N, 64]` in 0..16 and labels. */
export interface DigitsTable {
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
  readonly n: number;
}

/**
 * Parses the digits CSV (header `p0,…,p63,label`, one row per image).
 * @param text The file's contents.
 * @throws SpikeletError 'bad_file' naming the row for malformed rows or values outside 0..16.
 */
export function parseDigitsCsv(text: string): DigitsTable {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2 || !lines[0].startsWith('p0,')) throw new SpikeletError('bad_file', 'parseDigitsCsv', 'header', 'p0,...,p63,label', lines[0]);
  const n = lines.length - 1;
  const pixels = new Float32Array(n * 64), labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const f = lines[r + 1].split(',');
    if (f.length !== 65) throw new SpikeletError('bad_file', 'parseDigitsCsv', `row ${r + 1}`, '65 fields', f.length);
    for (let i = 0; i < 64; i++) {
      const v = Number(f[i]);
      if (!(v >= 0 && v <= 16)) throw new SpikeletError('bad_file', 'parseDigitsCsv', `row ${r + 1}.p${i}`, 'a pixel in 0..16', f[i]);
      pixels[r * 64 + i] = v;
    }
    const y = Number(f[64]);
    if (!Number.isInteger(y) || y < 0 || y > 9) throw new SpikeletError('bad_file', 'parseDigitsCsv', `row ${r + 1}.label`, 'a digit 0..9', f[64]);
    labels[r] = y;
  }
  return { pixels, labels, n };
}

/**
 * Shifts each 8×8 image by a random offset in {−1, 0, 1}² (zero fill): the augmentation of
 * the digits recipe (the test split comes from other writers than the training split).
 * @param pixels `[N, 64]`.
 * @param n Images.
 * @param seed Seed.
 */
export function shiftDigits(pixels: Float32Array, n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(n * 64);
  for (let s = 0; s < n; s++) {
    const dy = Math.floor(rand() * 3) - 1, dx = Math.floor(rand() * 3) - 1;
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const sr = r - dy, sc = c - dx;
        out[s * 64 + r * 8 + c] = sr >= 0 && sr < 8 && sc >= 0 && sc < 8 ? pixels[s * 64 + sr * 8 + sc] : 0;
      }
    }
  }
  return out;
}

/**
 * Random affine warp of 8×8 images with bilinear resampling (the augmentation of the
 * PyTorch digits references in ../shared/fixtures): rotation up to ±`rotate` degrees, scale
 * 1 ± `scale`, shift up to ±`shift` pixels, about the image centre; zero outside.
 * @param pixels `[N, 64]`.
 * @param n Images.
 * @param seed Seed.
 */
export function warpDigits(pixels: Float32Array, n: number, seed: number,
                           o: { rotate?: number; scale?: number; shift?: number } = {}): Float32Array {
  const rand = seededRandom(seed);
  const rot = ((o.rotate ?? 10) * Math.PI) / 180, sc = o.scale ?? 0.1, sh = o.shift ?? 0.5;
  const out = new Float32Array(n * 64);
  const px = (s: number, r: number, c: number) => (r >= 0 && r < 8 && c >= 0 && c < 8 ? pixels[s * 64 + r * 8 + c] : 0);
  for (let s = 0; s < n; s++) {
    const a = (rand() * 2 - 1) * rot, k = 1 + (rand() * 2 - 1) * sc;
    const dy = (rand() * 2 - 1) * sh, dx = (rand() * 2 - 1) * sh;
    const ca = Math.cos(a) / k, sa = Math.sin(a) / k;
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        // inverse map of the output pixel centre into the source image
        const y = r - 3.5 - dy, x = c - 3.5 - dx;
        const sy = ca * y - sa * x + 3.5, sx = sa * y + ca * x + 3.5;
        const y0 = Math.floor(sy), x0 = Math.floor(sx), fy = sy - y0, fx = sx - x0;
        out[s * 64 + r * 8 + c] = (1 - fy) * ((1 - fx) * px(s, y0, x0) + fx * px(s, y0, x0 + 1))
          + fy * ((1 - fx) * px(s, y0 + 1, x0) + fx * px(s, y0 + 1, x0 + 1));
      }
    }
  }
  return out;
}

/**
 * Spike-encodes digits: each pixel p ∈ 0..16 fires with probability p/16 per step.
 * @param pixels `[N, 64]` in 0..16.
 * @param labels Labels.
 * @param T Steps.
 * @param seed Seed of the Bernoulli draws.
 */
export function encodeDigits(pixels: Float32Array, labels: Int32Array, T: number, seed: number): SpikeDataset {
  const n = labels.length;
  const v = new Float32Array(pixels.length);
  for (let i = 0; i < v.length; i++) v[i] = pixels[i] / 16;
  return { x: rateEncode(v, n, 64, T, seed), labels, T, inputSize: 64 };
}

/** Rows `[from, to)` of a digits table. */
export function sliceDigits(d: DigitsTable, from: number, to: number): DigitsTable {
  return { pixels: d.pixels.slice(from * 64, to * 64), labels: d.labels.slice(from, to), n: to - from };
}
