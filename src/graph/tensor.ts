// Float32 tensors of the Graph: construction from loose values, sizes, per-neuron expansion.
import { SpikeletError } from '../errors.js';
import type { Tensor } from './types.js';

/** A value accepted where a tensor is expected: a number (0-d), flat or nested arrays, typed arrays, a Tensor. */
export type TensorLike = number | readonly unknown[] | Float32Array | Float64Array | Tensor;

/** Product of a shape (1 for `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Largest element count a tensor may have (2^28: 1 GiB of float32). Guards against absurd shapes. */
export const MAX_ELEMENTS = 1 << 28;

/** Checks a shape: non-negative integer dims and a sane total size. */
export function checkShape(where: string, field: string, shape: unknown): readonly number[] {
  if (!Array.isArray(shape) || shape.length > 8) {
    throw new SpikeletError('invalid_param', where, field, 'an array of at most 8 dimensions', shape);
  }
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new SpikeletError('invalid_param', where, `${field}[${i}]`, 'a non-negative integer', d);
    }
    n *= d;
  }
  if (n > MAX_ELEMENTS) throw new SpikeletError('invalid_param', where, field, `at most ${MAX_ELEMENTS} elements`, shape);
  return shape as number[];
}

/**
 * Builds a float32 tensor from a loose value, checking every element is finite.
 * @param x A number (0-d), a flat or nested array, a typed array (1-D) or a `{ shape, data }` record.
 * @param where API function for error messages.
 * @param field Field path for error messages.
 * @returns A tensor owning a fresh Float32Array (or the given one when it already is float32).
 */
export function toTensor(x: unknown, where = 'tensor', field = 'value'): Tensor {
  let shape: number[];
  let data: Float32Array;
  if (typeof x === 'number') {
    shape = [];
    data = Float32Array.of(x);
  } else if (x instanceof Float32Array) {
    shape = [x.length];
    data = x;
  } else if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const a = x as unknown as ArrayLike<number | bigint>;
    shape = [a.length];
    data = Float32Array.from(a as ArrayLike<number>, (v) => Number(v));
  } else if (Array.isArray(x)) {
    shape = [];
    let level: unknown = x;
    while (Array.isArray(level)) {
      shape.push(level.length);
      level = level[0];
    }
    checkShape(where, `${field}.shape`, shape);
    const flat = (x as unknown[]).flat(shape.length) as unknown[];
    if (flat.length !== sizeOf(shape)) {
      throw new SpikeletError('shape_mismatch', where, field, `a rectangular nested array of shape [${shape}]`, 'a ragged array');
    }
    data = Float32Array.from(flat as number[], (v) => (typeof v === 'number' ? v : NaN));
  } else if (x !== null && typeof x === 'object' && 'shape' in x && 'data' in x) {
    const r = x as { shape: unknown; data: unknown };
    shape = [...checkShape(where, `${field}.shape`, r.shape)];
    const t = toTensor(r.data, where, `${field}.data`);
    if (t.data.length !== sizeOf(shape)) {
      throw new SpikeletError('shape_mismatch', where, `${field}.data.length`, `${sizeOf(shape)} (shape [${shape}])`, t.data.length);
    }
    data = t.data;
  } else {
    throw new SpikeletError('invalid_param', where, field, 'a number, an array or a { shape, data } tensor', x);
  }
  checkShape(where, `${field}.shape`, shape);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new SpikeletError('invalid_param', where, `${field}[${i}]`, 'a finite float32 number', data[i]);
  }
  return { shape, data };
}

/** Expands a tensor to `n` values: one value broadcasts, `n` values are taken as they are. */
export function expand(t: Tensor | undefined, n: number, dflt: number, where: string, field: string): Float32Array {
  if (t === undefined) return new Float32Array(n).fill(dflt);
  if (t.data.length === n) return t.data;
  if (t.data.length === 1) return new Float32Array(n).fill(t.data[0]);
  throw new SpikeletError('shape_mismatch', where, `${field}.size`, `1 or ${n} (the number of neurons)`, t.data.length);
}

/** A single value when every element is equal, else the array (for compact NetworkSpec parameters). */
export function compact(a: Float32Array): number | Float32Array {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return a;
  return a.length > 0 ? a[0] : 0;
}

/** Element-wise equality of two tensors (shape and bits). */
export function tensorsEqual(a: Tensor, b: Tensor): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  if (a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}
