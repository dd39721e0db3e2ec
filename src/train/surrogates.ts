// Surrogate spike derivatives. The forward pass is always the Heaviside step H(z) = [z > 0]
// (z = v − θ); a surrogate only replaces ∂s/∂v in the backward pass (Spyx's `axn`, snnTorch's
// `spike_grad`). Built-ins are evaluated inside the wasm kernel from their parameters; a
// user-defined surrogate is tabulated here into a lookup table that the kernel (and the f64
// reference) interpolate linearly, so host and wasm compute the same function.
import { SpikeletError } from '../errors.js';

/** A surrogate by name with its parameters (JSON-friendly, as in a training config). */
export type SurrogateSpec =
  | 'arctan' | 'superspike' | 'fast_sigmoid' | 'sigmoid' | 'tanh' | 'triangle' | 'boxcar' | 'straight_through'
  | { readonly name: 'arctan'; readonly alpha?: number }
  | { readonly name: 'superspike' | 'fast_sigmoid'; readonly k?: number }
  | { readonly name: 'sigmoid'; readonly k?: number }
  | { readonly name: 'tanh'; readonly k?: number }
  | { readonly name: 'triangle'; readonly width?: number; readonly height?: number }
  | { readonly name: 'boxcar'; readonly width?: number; readonly height?: number }
  | { readonly name: 'straight_through'; readonly scale?: number }
  | { readonly name: 'custom'; readonly fn: (z: number) => number; readonly range?: readonly [number, number]; readonly points?: number }
  | { readonly name: 'table'; readonly values: readonly number[] | Float32Array; readonly range: readonly [number, number] };

/** A surrogate resolved for the kernels: kind code, parameters and (custom) its table. */
export interface ResolvedSurrogate {
  readonly name: string;
  readonly kind: number;
  readonly p1: number;
  readonly p2: number;
  readonly table?: Float32Array;
  readonly lo: number;
  readonly hi: number;
}

/** Kind codes, mirroring assembly/train/surrogate.ts. */
export const SURROGATE_KINDS = {
  arctan: 0, superspike: 1, sigmoid: 2, tanh: 3, triangle: 4, boxcar: 5, straight_through: 6, table: 7,
} as const;

/** Names accepted in a {@link SurrogateSpec}. */
export const SURROGATE_NAMES = ['arctan', 'superspike', 'fast_sigmoid', 'sigmoid', 'tanh', 'triangle', 'boxcar',
  'straight_through', 'custom', 'table'] as const;

/**
 * Factories in the style of Spyx (`arctan(k=2)`): each returns a {@link SurrogateSpec}.
 * @example
 * ```ts
 * const layer = { size: 64, cell: 'lif', surrogate: surrogate.arctan({ alpha: 2 }) };
 * const mine = surrogate.custom((z) => Math.exp(-z * z), { range: [-4, 4] });
 * ```
 */
export const surrogate = {
  /** (α/2)/(1 + (π/2·α·z)²), snnTorch `atan` (default α = 2: peak 1). */
  arctan: (o: { alpha?: number } = {}): SurrogateSpec => ({ name: 'arctan', ...o }),
  /** 1/(1 + k|z|)², SuperSpike = snnTorch `fast_sigmoid(slope=k)` (default k = 25). */
  superspike: (o: { k?: number } = {}): SurrogateSpec => ({ name: 'superspike', ...o }),
  /** Alias of {@link surrogate.superspike}. */
  fastSigmoid: (o: { k?: number } = {}): SurrogateSpec => ({ name: 'superspike', ...o }),
  /** k·σ(kz)·(1 − σ(kz)) (default k = 5). */
  sigmoid: (o: { k?: number } = {}): SurrogateSpec => ({ name: 'sigmoid', ...o }),
  /** (k/2)(1 − tanh²(kz)), the derivative of (1 + tanh kz)/2 (default k = 2: peak 1). */
  tanh: (o: { k?: number } = {}): SurrogateSpec => ({ name: 'tanh', ...o }),
  /** h·max(0, 1 − |z|/w) (default w = 1, h = 1). */
  triangle: (o: { width?: number; height?: number } = {}): SurrogateSpec => ({ name: 'triangle', ...o }),
  /** h for |z| < w, else 0 (default w = 0.5, h = 1: unit area). */
  boxcar: (o: { width?: number; height?: number } = {}): SurrogateSpec => ({ name: 'boxcar', ...o }),
  /** A constant c (default 1): the straight-through estimator. */
  straightThrough: (o: { scale?: number } = {}): SurrogateSpec => ({ name: 'straight_through', ...o }),
  /**
   * A user function σ′(z), tabulated at `points` (default 1025) evenly spaced z over `range`
   * (default [−4, 4]) and interpolated linearly by the kernels; 0 outside the range.
   */
  custom: (fn: (z: number) => number, o: { range?: readonly [number, number]; points?: number } = {}): SurrogateSpec =>
    ({ name: 'custom', fn, ...o }),
};

function num(where: string, field: string, x: unknown, dflt: number, ok: (v: number) => boolean, expected: string): number {
  if (x === undefined) return dflt;
  if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) throw new SpikeletError('invalid_param', where, field, expected, x);
  return x;
}

/**
 * Validates a surrogate spec and resolves it for the kernels.
 * @param spec The surrogate (name or record).
 * @param where Calling function, for errors.
 * @param field Path of the field, for errors.
 * @throws SpikeletError for unknown names or invalid parameters.
 */
export function resolveSurrogate(spec: SurrogateSpec | undefined, where = 'resolveSurrogate', field = 'surrogate'): ResolvedSurrogate {
  const s = (spec === undefined ? { name: 'arctan' } : typeof spec === 'string' ? { name: spec } : spec) as Record<string, unknown>;
  if (s === null || typeof s !== 'object') throw new SpikeletError('invalid_param', where, field, 'a surrogate name or { name, ...params }', spec);
  const name = s.name;
  const pos = (v: number) => v > 0;
  const P = 'a finite number > 0';
  const base = { lo: 0, hi: 0 };
  switch (name) {
    case 'arctan':
      return { name, kind: 0, p1: num(where, `${field}.alpha`, s.alpha, 2, pos, P), p2: 0, ...base };
    case 'superspike': case 'fast_sigmoid':
      return { name: 'superspike', kind: 1, p1: num(where, `${field}.k`, s.k, 25, pos, P), p2: 0, ...base };
    case 'sigmoid':
      return { name, kind: 2, p1: num(where, `${field}.k`, s.k, 5, pos, P), p2: 0, ...base };
    case 'tanh':
      return { name, kind: 3, p1: num(where, `${field}.k`, s.k, 2, pos, P), p2: 0, ...base };
    case 'triangle':
      return { name, kind: 4, p1: num(where, `${field}.width`, s.width, 1, pos, P), p2: num(where, `${field}.height`, s.height, 1, pos, P), ...base };
    case 'boxcar':
      return { name, kind: 5, p1: num(where, `${field}.width`, s.width, 0.5, pos, P), p2: num(where, `${field}.height`, s.height, 1, pos, P), ...base };
    case 'straight_through':
      return { name, kind: 6, p1: num(where, `${field}.scale`, s.scale, 1, pos, P), p2: 0, ...base };
    case 'custom': case 'table': {
      const range = (s.range ?? [-4, 4]) as unknown;
      if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v)) || !(range[0] < range[1])) {
        throw new SpikeletError('invalid_param', where, `${field}.range`, '[lo, hi] finite numbers with lo < hi', range);
      }
      let table: Float32Array;
      if (name === 'custom') {
        if (typeof s.fn !== 'function') throw new SpikeletError('invalid_param', where, `${field}.fn`, 'a function z => number', s.fn);
        const n = num(where, `${field}.points`, s.points, 1025, (v) => Number.isInteger(v) && v >= 2 && v <= 1 << 16, 'an integer in [2, 65536]');
        table = new Float32Array(n);
        const fn = s.fn as (z: number) => number;
        for (let i = 0; i < n; i++) table[i] = fn(range[0] + ((range[1] - range[0]) * i) / (n - 1));
      } else {
        const v = s.values as ArrayLike<number> | undefined;
        if (!v || typeof v !== 'object' || typeof v.length !== 'number' || v.length < 2) {
          throw new SpikeletError('invalid_param', where, `${field}.values`, 'an array of at least 2 numbers', v);
        }
        table = Float32Array.from(v as ArrayLike<number>);
      }
      for (let i = 0; i < table.length; i++) {
        if (!Number.isFinite(table[i])) throw new SpikeletError('invalid_param', where, `${field}.fn(z)`, 'finite values over the range', table[i]);
      }
      return { name: String(name), kind: 7, p1: 0, p2: 0, table, lo: range[0], hi: range[1] };
    }
    default:
      throw new SpikeletError('invalid_param', where, `${field}.name`, `one of ${SURROGATE_NAMES.join(', ')}`, name);
  }
}

/**
 * σ′(z) of a resolved surrogate in float64 (the host reference; same formulas as the kernel).
 * @param s The resolved surrogate.
 * @param z v − θ.
 */
export function surrogateDerivative(s: ResolvedSurrogate, z: number): number {
  switch (s.kind) {
    case 0: { const a = (Math.PI / 2) * s.p1 * z; return (s.p1 / 2) / (1 + a * a); }
    case 1: { const d = 1 + s.p1 * Math.abs(z); return 1 / (d * d); }
    case 2: { const q = 1 / (1 + Math.exp(-s.p1 * z)); return s.p1 * q * (1 - q); }
    case 3: { const t = Math.tanh(s.p1 * z); return (s.p1 / 2) * (1 - t * t); }
    case 4: { const r = 1 - Math.abs(z) / s.p1; return r > 0 ? s.p2 * r : 0; }
    case 5: return Math.abs(z) < s.p1 ? s.p2 : 0;
    case 6: return s.p1;
    default: {
      const t = s.table!, n = t.length;
      if (!(z >= s.lo && z <= s.hi)) return 0;
      const pos = ((z - s.lo) / (s.hi - s.lo)) * (n - 1);
      let i = Math.floor(pos);
      if (i >= n - 1) i = n - 2;
      const f = pos - i;
      return t[i] + (t[i + 1] - t[i]) * f;
    }
  }
}
