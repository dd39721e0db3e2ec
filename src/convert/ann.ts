// The float ANN runner for an imported AnnModel, so ANN and SNN accuracy can be read side by
// side. Dense layers and convolutions run on the wasm f32 kernel `matmul_f32_simd` (a conv as
// im2col on the host, then one matmul per group: rows = samples × output positions); ReLU,
// padding, pooling and reshapes are plain TypeScript over `[C, H, W]` row-major samples.
// f32 throughout (the kernel sums in f32 without FMA; pooling sums in f64 and rounds once), so
// logits agree with PyTorch's float32 to rounding (~1e-6 relative on the digits models).
import { SpikeletError } from '../errors.js';
import { Runtime } from '../runtime/runtime.js';
import { shapeSize, type AnnConv, type AnnDense, type AnnLayer, type AnnModel, type AnnPool } from '../io/onnx/model.js';

/** Options of {@link AnnRunner} and {@link runAnn}. */
export interface RunAnnOptions {
  /** Runtime whose wasm kernels run the matmuls (default: a new one). */
  readonly runtime?: Runtime;
  /** Samples per wasm call (default 64). */
  readonly batchSize?: number;
}

/** Called with each layer's output for a chunk of samples: `values` is `[samples, layer size]`. */
export type ActivationHook = (layer: number, values: Float32Array, samples: number) => void;

const pad16 = (n: number) => (n + 15) & ~15;
/** Largest matmul row count per wasm call (bounds the scratch memory). */
const MAX_ROWS = 8192;

interface Packed { readonly ptr: number; readonly outP: number; readonly inP: number; readonly rows: number; readonly cols: number }

/** Runs an {@link AnnModel} in f32: weights packed once into wasm memory, then any number of `run`s. */
export class AnnRunner {
  /** Per-sample input and output sizes. */
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly rt: Runtime;
  private readonly packed: (Packed[] | undefined)[];
  private readonly batchSize: number;

  /**
   * @param model The imported network.
   * @param options Runtime and chunk size.
   */
  constructor(readonly model: AnnModel, options: RunAnnOptions = {}) {
    this.rt = options.runtime ?? Runtime.createSync();
    this.batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new SpikeletError('invalid_param', 'AnnRunner', 'batchSize', 'a positive integer', options.batchSize);
    }
    this.inputSize = shapeSize(model.inputShape);
    this.outputSize = shapeSize(model.outputShape);
    this.packed = model.layers.map((l) => (l.op === 'dense' ? [this.pack(l.weight, l.outFeatures, l.inFeatures, 0, 0)]
      : l.op === 'conv' ? this.packConv(l) : undefined));
  }

  /** Packs rows [r0, r0 + rows) of a row-major [*, cols] matrix for matmul_f32_simd. */
  private pack(w: Float32Array, rows: number, cols: number, r0: number, _g: number): Packed {
    const rt = this.rt, k = rt.kernels;
    const outP = pad16(rows), inP = pad16(cols);
    const ptr = rt.alloc(k.packed_f32_bytes(outP, inP));
    const mark = rt.mark();
    const m = new Float32Array(outP * inP);
    for (let o = 0; o < rows; o++) m.set(w.subarray((r0 + o) * cols, (r0 + o + 1) * cols), o * inP);
    const src = rt.put(m);
    k.pack_f32(src, ptr, outP, inP);
    rt.release(mark);
    return { ptr, outP, inP, rows, cols };
  }

  private packConv(l: AnnConv): Packed[] {
    const M = l.outShape[0], g = l.group, Mg = M / g;
    const cols = (l.inShape[0] / g) * l.kernel[0] * l.kernel[1];
    return Array.from({ length: g }, (_, gi) => this.pack(l.weight, Mg, cols, gi * Mg, gi));
  }

  /**
   * y[r, o] = Σ_i W[o, i]·x[r, i] for `rows` rows of x (row-major `[rows, cols]`, any stride
   * `xStride`), written to `y` `[rows, p.rows]`.
   */
  private matmul(p: Packed, x: Float32Array, rows: number, xStride: number, y: Float32Array): void {
    const rt = this.rt;
    for (let r0 = 0; r0 < rows; r0 += MAX_ROWS) {
      const n = Math.min(MAX_ROWS, rows - r0);
      const mark = rt.mark();
      const xp = rt.alloc(n * p.inP * 4), yp = rt.alloc(n * p.outP * 4);
      let f32 = rt.view().f32;
      for (let r = 0; r < n; r++) f32.set(x.subarray((r0 + r) * xStride, (r0 + r) * xStride + p.cols), (xp >> 2) + r * p.inP);
      rt.call('matmul_f32_simd', p.ptr, xp, yp, n, p.outP, p.inP);
      f32 = rt.view().f32;
      for (let r = 0; r < n; r++) y.set(f32.subarray((yp >> 2) + r * p.outP, (yp >> 2) + r * p.outP + p.rows), (r0 + r) * p.rows);
      rt.release(mark);
    }
  }

  /**
   * Runs the network on `x`, `[samples, inputSize]` row-major (each sample laid out as the
   * model's input shape, e.g. `[1, 8, 8]`).
   * @param x Inputs.
   * @param onActivation Optional hook receiving every layer's output, chunk by chunk.
   * @returns Outputs (logits), `[samples, outputSize]`.
   */
  run(x: Float32Array | readonly number[], onActivation?: ActivationHook): Float32Array {
    const data = x instanceof Float32Array ? x : Float32Array.from(x);
    if (data.length === 0 || data.length % this.inputSize !== 0) {
      throw new SpikeletError('shape_mismatch', 'AnnRunner.run', 'x.length', `a positive multiple of ${this.inputSize} (samples × [${this.model.inputShape.join(', ')}])`, data.length);
    }
    const N = data.length / this.inputSize;
    const out = new Float32Array(N * this.outputSize);
    for (let s0 = 0; s0 < N; s0 += this.batchSize) {
      const B = Math.min(this.batchSize, N - s0);
      let act: Float32Array = data.slice(s0 * this.inputSize, (s0 + B) * this.inputSize);
      this.model.layers.forEach((l, i) => {
        act = this.layer(l, i, act, B);
        onActivation?.(i, act, B);
      });
      out.set(act, s0 * this.outputSize);
    }
    return out;
  }

  private layer(l: AnnLayer, i: number, x: Float32Array, B: number): Float32Array {
    const outSize = shapeSize(l.outShape);
    switch (l.op) {
      case 'dense': return this.dense(l, i, x, B);
      case 'conv': return this.conv(l, i, x, B);
      case 'relu': {
        const y = new Float32Array(x.length);
        for (let k = 0; k < x.length; k++) y[k] = x[k] > 0 ? x[k] : 0;
        return y;
      }
      case 'reshape': return x;
      case 'pad': {
        const [C, H, W] = l.inShape, [, OH, OW] = l.outShape, [pt, pl] = l.pads;
        const y = new Float32Array(B * outSize).fill(l.value);
        for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) {
          const src = ((b * C + c) * H + h) * W, dst = ((b * C + c) * OH + h + pt) * OW + pl;
          y.set(x.subarray(src, src + W), dst);
        }
        return y;
      }
      case 'globalavgpool': {
        const [C, H, W] = l.inShape, hw = H * W;
        const y = new Float32Array(B * C);
        for (let bc = 0; bc < B * C; bc++) {
          let s = 0;
          for (let k = 0; k < hw; k++) s += x[bc * hw + k];
          y[bc] = s / hw;
        }
        return y;
      }
      case 'avgpool':
      case 'maxpool': return pool(l, x, B);
    }
  }

  private dense(l: AnnDense, i: number, x: Float32Array, B: number): Float32Array {
    const y = new Float32Array(B * l.outFeatures);
    this.matmul(this.packed[i]![0], x, B, l.inFeatures, y);
    for (let b = 0; b < B; b++) for (let o = 0; o < l.outFeatures; o++) y[b * l.outFeatures + o] += l.bias[o];
    return y;
  }

  private conv(l: AnnConv, i: number, x: Float32Array, B: number): Float32Array {
    const [C, H, W] = l.inShape, [M, OH, OW] = l.outShape;
    const [kh, kw] = l.kernel, [sh, sw] = l.stride, [dh, dw] = l.dilation, [pt, pl] = l.pads;
    const g = l.group, Cg = C / g, Mg = M / g, cols = Cg * kh * kw, P = OH * OW;
    const y = new Float32Array(B * M * P);
    const colsBuf = new Float32Array(B * P * cols);
    const res = new Float32Array(B * P * Mg);
    for (let gi = 0; gi < g; gi++) {
      // im2col: row (b, oy, ox), column (c, ky, kx), zero outside the input.
      colsBuf.fill(0);
      for (let b = 0; b < B; b++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        const row = ((b * OH + oy) * OW + ox) * cols;
        for (let c = 0; c < Cg; c++) {
          const plane = (b * C + gi * Cg + c) * H * W;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - pt + ky * dh;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - pl + kx * dw;
              if (ix >= 0 && ix < W) colsBuf[row + (c * kh + ky) * kw + kx] = x[plane + iy * W + ix];
            }
          }
        }
      }
      this.matmul(this.packed[i]![gi], colsBuf, B * P, cols, res);
      for (let b = 0; b < B; b++) for (let o = 0; o < Mg; o++) {
        const m = gi * Mg + o, bias = l.bias[m], dst = (b * M + m) * P;
        for (let p = 0; p < P; p++) y[dst + p] = res[(b * P + p) * Mg + o] + bias;
      }
    }
    return y;
  }
}

/** Average (ONNX count_include_pad semantics) or max pooling of `[C, H, W]` samples. */
function pool(l: AnnPool, x: Float32Array, B: number): Float32Array {
  const [C, H, W] = l.inShape, [, OH, OW] = l.outShape;
  const [kh, kw] = l.kernel, [sh, sw] = l.stride, [pt, pl] = l.pads;
  const y = new Float32Array(B * C * OH * OW);
  const max = l.op === 'maxpool';
  for (let bc = 0; bc < B * C; bc++) {
    const plane = bc * H * W;
    for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
      let s = max ? -Infinity : 0, n = 0;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh - pt + ky;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * sw - pl + kx;
          if (ix < 0 || ix >= W) continue;
          const v = x[plane + iy * W + ix];
          if (max) { if (v > s) s = v; } else s += v;
          n++;
        }
      }
      y[(bc * OH + oy) * OW + ox] = max ? s : s / (l.countIncludePad ? kh * kw : Math.max(n, 1));
    }
  }
  return y;
}

/**
 * Runs an imported ANN in f32 (see {@link AnnRunner}).
 * @param model The network from `readOnnx`.
 * @param x Inputs `[samples, inputSize]`, each sample row-major in the model's input shape.
 * @param options Runtime and chunk size.
 * @returns Outputs `[samples, outputSize]`.
 * @example
 * const logits = runAnn(await readOnnx(bytes), pixels);
 */
export function runAnn(model: AnnModel, x: Float32Array | readonly number[], options: RunAnnOptions = {}): Float32Array {
  return new AnnRunner(model, options).run(x);
}

/**
 * Index of the largest value of each row of `[rows, n]` scores (the first on ties).
 * @param scores Row-major scores.
 * @param n Row length.
 */
export function argmaxRows(scores: ArrayLike<number>, n: number): Int32Array {
  const rows = Math.floor(scores.length / n);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 1; k < n; k++) if (scores[r * n + k] > scores[r * n + best]) best = k;
    out[r] = best;
  }
  return out;
}

/**
 * Fraction of rows whose argmax equals the label.
 * @param scores `[rows, n]` scores (logits, spike counts, ...).
 * @param labels One integer label per row.
 * @param n Classes.
 */
export function accuracyOf(scores: ArrayLike<number>, labels: ArrayLike<number>, n: number): number {
  const pred = argmaxRows(scores, n);
  let ok = 0;
  for (let r = 0; r < pred.length; r++) if (pred[r] === labels[r]) ok++;
  return pred.length ? ok / pred.length : 0;
}
