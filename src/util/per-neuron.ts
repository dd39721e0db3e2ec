// Scalar-or-per-neuron parameters (τ, thresholds, decays, biases…) as the network spec and the
// training model accept them: checked, expanded to one value per neuron.
import { SpikeletError } from '../errors.js';

/** A parameter given once for the layer or once per neuron. */
export type PerNeuronValue = number | readonly number[] | Float32Array | Float64Array;

/**
 * Fills `out` (one slot per neuron) from `x`: `dflt` when absent, a number for every neuron, or
 * an array of `out.length` values (or of one value, broadcast, when `broadcastOne`); every given
 * value must be finite and pass `ok`.
 * @param out The destination; its length is the layer size.
 * @param where The caller, for errors.
 * @param field The parameter's path, for errors.
 * @param x The parameter as given.
 * @param dflt The value when `x` is absent.
 * @param ok The check every given value must pass.
 * @param expected What `ok` demands, for the error.
 * @param broadcastOne Whether a one-element array stands for every neuron.
 * @throws SpikeletError naming the field (and index) with the offending value.
 */
export function fillPerNeuron<T extends Float32Array | Float64Array>(
  out: T, where: string, field: string, x: PerNeuronValue | undefined, dflt: number,
  ok: (v: number) => boolean, expected: string, broadcastOne: boolean): T {
  const n = out.length;
  if (x === undefined) return out.fill(dflt) as T;
  if (typeof x === 'number') {
    if (!Number.isFinite(x) || !ok(x)) throw new SpikeletError('invalid_param', where, field, expected, x);
    return out.fill(x) as T;
  }
  if (!(x instanceof Float32Array || x instanceof Float64Array || Array.isArray(x))) {
    throw new SpikeletError('invalid_param', where, field, `a number or an array of ${n} numbers`, x);
  }
  const a = x as ArrayLike<number>;
  if (a.length !== n && !(broadcastOne && a.length === 1)) {
    throw new SpikeletError('shape_mismatch', where, `${field}.length`, broadcastOne ? `1 or ${n} (the layer size)` : `${n} (the layer size)`, a.length);
  }
  for (let i = 0; i < n; i++) {
    const v = a[a.length === n ? i : 0];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      throw new SpikeletError('invalid_param', where, `${field}[${i}]`, expected, v);
    }
    out[i] = v;
  }
  return out;
}
