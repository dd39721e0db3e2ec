// Convolution and pooling geometry, shared by shape inference, the simulator and the lowering
// to NetworkSpec: per-dimension stride/dilation, PyTorch's 'same'/'valid' paddings resolved to
// explicit (before, after) amounts, and output sizes.
import { SpikeletError } from '../errors.js';
import type { Padding } from './types.js';

/** Resolved geometry of a convolution or pooling over `dims` spatial dimensions. */
export interface Geometry {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  /** Padding before each dimension. */
  readonly padLo: readonly number[];
  /** Padding after each dimension (differs from padLo only for 'same' with an even kernel extent). */
  readonly padHi: readonly number[];
  readonly inSize: readonly number[];
  readonly outSize: readonly number[];
}

/** A per-dimension integer list: one value broadcasts, `dims` values are used as they are. */
export function perDim(where: string, field: string, x: readonly number[] | undefined, dims: number, dflt: number, min: number): number[] {
  if (x === undefined || x.length === 0) return new Array<number>(dims).fill(dflt);
  if (x.length !== 1 && x.length !== dims) {
    throw new SpikeletError('shape_mismatch', where, field, `1 or ${dims} values`, x.length);
  }
  const out = x.length === 1 ? new Array<number>(dims).fill(x[0]) : [...x];
  out.forEach((v, i) => {
    if (v < min) throw new SpikeletError('invalid_param', where, `${field}[${i}]`, `an integer >= ${min}`, v);
  });
  return out;
}

/**
 * Geometry of a convolution/pooling.
 * @param inSize Spatial input size per dimension.
 */
export function geometry(where: string, node: string, inSize: readonly number[], kernel: readonly number[],
                         stride: readonly number[] | undefined, padding: Padding | undefined,
                         dilation: readonly number[] | undefined, defaultStride?: readonly number[]): Geometry {
  const d = inSize.length;
  const s = stride === undefined && defaultStride ? [...defaultStride] : perDim(where, `nodes.${node}.stride`, stride, d, 1, 1);
  const dl = perDim(where, `nodes.${node}.dilation`, dilation, d, 1, 1);
  let lo: number[], hi: number[];
  if (padding === 'valid') {
    lo = new Array<number>(d).fill(0);
    hi = lo;
  } else if (padding === 'same') {
    if (s.some((v) => v !== 1)) {
      throw new SpikeletError('invalid_param', where, `nodes.${node}.padding`, "'same' only with stride 1 (as in PyTorch)", `stride [${s}]`);
    }
    // PyTorch: total = dilation·(k − 1), the smaller half before.
    lo = kernel.map((k, i) => Math.floor((dl[i] * (k - 1)) / 2));
    hi = kernel.map((k, i) => dl[i] * (k - 1) - lo[i]);
  } else {
    lo = perDim(where, `nodes.${node}.padding`, padding, d, 0, 0);
    hi = lo;
  }
  const outSize = inSize.map((n, i) => Math.floor((n + lo[i] + hi[i] - dl[i] * (kernel[i] - 1) - 1) / s[i]) + 1);
  outSize.forEach((o, i) => {
    if (!(o >= 1)) {
      throw new SpikeletError('shape_mismatch', where, `nodes.${node}.kernel`,
        `a kernel extent that fits input size ${inSize[i]} + padding ${lo[i] + hi[i]}`, `kernel ${kernel[i]}, dilation ${dl[i]}`);
    }
  });
  return { kernel, stride: s, dilation: dl, padLo: lo, padHi: hi, inSize, outSize };
}
