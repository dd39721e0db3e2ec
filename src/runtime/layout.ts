// Where each block's neurons and inputs live inside a plan. Linear activations are rows of n
// values padded to 16. Conv activations are stored channels-last, [H, W, CP] with CP = C padded
// to 16, so one pixel's channels are a contiguous SIMD row: im2col + matmul writes that layout
// directly and an input spike scatters its kernel slice with contiguous adds. The API keeps
// NIR/PyTorch [C, H, W] numbering; this module builds the maps between the two once, at compile
// time, and lays weights out accordingly (a Linear after a Flatten gets its columns permuted).
import type { Block, Shape3 } from './network.js';
import { pad16 } from './cells.js';

/** Layout of one activation buffer (per sample). */
export type ActLayout =
  | { readonly kind: 'flat'; readonly n: number; readonly size: number }
  | { readonly kind: 'chw'; readonly shape: Shape3; readonly size: number } // the network input
  | { readonly kind: 'hwc'; readonly shape: Shape3; readonly cp: number; readonly size: number };

/** Geometry words (assembly/conv/geometry.ts) of a conv or pooling op reading `input`. */
function geometry(input: ActLayout, kernel: readonly [number, number], stride: readonly [number, number],
                  padding: readonly [number, number], dilation: readonly [number, number], out: Shape3): Int32Array {
  if (input.kind === 'flat') throw new Error('geometry of a flat input');
  const [C, H, W] = input.shape;
  const chw = input.kind === 'chw';
  const cp = input.kind === 'hwc' ? input.cp : 1;
  return Int32Array.from([
    C, H, W,
    chw ? H * W : 1, chw ? W : W * cp, chw ? 1 : cp,
    kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
    out[1], out[2], pad16(out[0]), pad16(kernel[0] * kernel[1] * C), input.size, chw ? 1 : 0,
  ]);
}

/** Internal index of API input/neuron `i` of a layout (−1: none). */
function internalIndex(l: ActLayout, i: number): number {
  if (l.kind !== 'hwc') return i;
  const [, H, W] = l.shape;
  const c = Math.floor(i / (H * W)), pos = i % (H * W);
  return pos * l.cp + c;
}

/** A pooling step as laid out in the plan. */
export interface PoolLayout {
  readonly type: 'sumpool2d' | 'avgpool2d';
  readonly geom: Int32Array;
  readonly input: ActLayout;
  readonly output: ActLayout;
}

/** One block as laid out in the plan. */
export interface BlockLayout {
  /** Internal neuron count per sample (padded). */
  readonly nP: number;
  /** Layout of the block's own spikes. */
  readonly out: ActLayout;
  /** API neuron index → internal index; undefined when they coincide. */
  readonly internalOf?: Int32Array;
  readonly pools: readonly PoolLayout[];
  /** Layout of the synapse's input (after pooling). */
  readonly in: ActLayout;
  /** Inputs are counts or analog values (multiply) rather than 0/1 spikes. */
  readonly valued: boolean;
  /** Conv geometry words, for conv blocks. */
  readonly geom?: Int32Array;
  /** Dense weights in the kernel's row-major form: [nP or outCP, in.size or KP]. */
  readonly denseRows: number;
  readonly denseCols: number;
  /** Fills `dst` (row-major [denseRows, denseCols], zeroed) from the block's weights. */
  dense<T extends Float32Array | Int8Array>(w: ArrayLike<number>, dst: T): T;
  /** Presynaptic-major weights for the event path: [eventRows, outP]. */
  readonly eventRows: number;
  readonly eventCols: number;
  events<T extends Float32Array | Int8Array>(w: ArrayLike<number>, dst: T): T;
  /** Scatters per-neuron values (API order) into an internal [nP] array, `fill` elsewhere. */
  perNeuron<T extends Int16Array | Int32Array | Float32Array>(values: ArrayLike<number>, dst: T, fill: number): T;
}

/** Lays out every block of a validated network; `inputShape` as given to the network. */
export function layoutBlocks(blocks: readonly Block[], inputSize: number): BlockLayout[] {
  const first = blocks[0];
  let act: ActLayout = first.synapse === 'conv2d' && first.conv
    ? { kind: 'chw', shape: first.conv.inShape, size: pad16(inputSize) }
    : { kind: 'flat', n: inputSize, size: pad16(inputSize) };
  return blocks.map((b) => {
    const pools: PoolLayout[] = [];
    for (const p of b.pre) {
      const o = p.outShape;
      const output: ActLayout = { kind: 'hwc', shape: o, cp: pad16(o[0]), size: o[1] * o[2] * pad16(o[0]) };
      pools.push({ type: p.type, geom: geometry(act, p.kernel, p.stride, p.padding, [1, 1], o), input: act, output });
      act = output;
    }
    const input = act;
    const valued = b.index === 0 || pools.length > 0;
    let out: ActLayout;
    let layout: Omit<BlockLayout, 'pools' | 'in' | 'valued' | 'out' | 'nP' | 'internalOf' | 'perNeuron'>;
    if (b.conv) {
      const c = b.conv;
      const [C] = c.inShape;
      const [oc, oh, ow] = c.outShape;
      const cp = pad16(oc);
      const K = c.kernel[0] * c.kernel[1] * C;
      const kk = c.kernel[0] * c.kernel[1];
      out = { kind: 'hwc', shape: c.outShape, cp, size: oh * ow * cp };
      layout = {
        geom: geometry(input, c.kernel, c.stride, c.padding, c.dilation, c.outShape),
        denseRows: cp, denseCols: pad16(K),
        // API weight [o, c, ky, kx] → dense [o, (ky·kw + kx)·C + c]
        dense: (w, dst) => {
          for (let o = 0; o < oc; o++) for (let ci = 0; ci < C; ci++) for (let k = 0; k < kk; k++) {
            dst[o * pad16(K) + k * C + ci] = w[(o * C + ci) * kk + k];
          }
          return dst;
        },
        eventRows: C * kk, eventCols: cp,
        // → events [(c·kh + ky)·kw + kx, o]
        events: (w, dst) => {
          for (let o = 0; o < oc; o++) for (let ci = 0; ci < C; ci++) for (let k = 0; k < kk; k++) {
            dst[(ci * kk + k) * cp + o] = w[(o * C + ci) * kk + k];
          }
          return dst;
        },
      };
    } else {
      const nP = pad16(b.n);
      out = { kind: 'flat', n: b.n, size: nP };
      // Column j of the internal input holds API input colOf[j] (−1: padding).
      const colOf = new Int32Array(input.size).fill(-1);
      for (let i = 0; i < b.inN; i++) colOf[internalIndex(input, i)] = i;
      layout = {
        denseRows: nP, denseCols: input.size,
        dense: (w, dst) => {
          for (let o = 0; o < b.n; o++) for (let j = 0; j < input.size; j++) {
            if (colOf[j] >= 0) dst[o * input.size + j] = w[o * b.inN + colOf[j]];
          }
          return dst;
        },
        eventRows: input.size, eventCols: nP,
        events: (w, dst) => {
          for (let o = 0; o < b.n; o++) for (let j = 0; j < input.size; j++) {
            if (colOf[j] >= 0) dst[j * nP + o] = w[o * b.inN + colOf[j]];
          }
          return dst;
        },
      };
    }
    const internalOf = out.kind === 'hwc' ? Int32Array.from({ length: b.n }, (_, i) => internalIndex(out, i)) : undefined;
    act = out;
    return {
      ...layout, nP: out.size, out, internalOf, pools, in: input, valued,
      perNeuron: (values, dst, fill) => {
        dst.fill(fill);
        for (let i = 0; i < b.n; i++) dst[internalOf ? internalOf[i] : i] = values[i];
        return dst;
      },
    };
  });
}
