// Surrogate spike derivatives σ′(z), z = v − θ, for the backward pass of surrogate-gradient BPTT.
// The forward is always the Heaviside step H(z) = [z > 0]; only the backward differs.
// Formulas (docs/training.md §Surrogates; p1, p2 are the surrogate's parameters):
//   ARCTAN     (α = p1)          (α/2) / (1 + (π/2·α·z)²)        snnTorch `atan`, σ′(0) = α/2
//   SUPERSPIKE (k = p1)          1 / (1 + k|z|)²                  snnTorch `fast_sigmoid(slope=k)`
//   SIGMOID    (k = p1)          k·σ(kz)·(1 − σ(kz))
//   TANH       (k = p1)          (k/2)·(1 − tanh²(kz))            derivative of (1 + tanh kz)/2
//   TRIANGLE   (w = p1, h = p2)  h·max(0, 1 − |z|/w)
//   BOXCAR     (w = p1, h = p2)  h if |z| < w else 0
//   STRAIGHT   (c = p1)          c                                straight-through estimator
//   TABLE      a user function tabulated by the host at n points over [lo, hi], linearly
//              interpolated here; 0 outside [lo, hi].

export const SG_ARCTAN: i32 = 0;
export const SG_SUPERSPIKE: i32 = 1;
export const SG_SIGMOID: i32 = 2;
export const SG_TANH: i32 = 3;
export const SG_TRIANGLE: i32 = 4;
export const SG_BOXCAR: i32 = 5;
export const SG_STRAIGHT: i32 = 6;
export const SG_TABLE: i32 = 7;

const HALF_PI: f32 = 1.5707963267948966;

/** σ′(z) for surrogate `kind`; `lut` points at n f32 samples over [lo, hi] (TABLE only). */
// @ts-ignore: decorator
@inline export function surrogate_f32(kind: i32, z: f32, p1: f32, p2: f32, lut: usize, n: i32, lo: f32, hi: f32): f32 {
  if (kind == SG_ARCTAN) {
    const a = HALF_PI * p1 * z;
    return (p1 * 0.5) / (1 + a * a);
  } else if (kind == SG_SUPERSPIKE) {
    const d: f32 = 1 + p1 * Mathf.abs(z);
    return <f32>1 / (d * d);
  } else if (kind == SG_SIGMOID) {
    const s: f32 = 1 / (1 + Mathf.exp(-p1 * z));
    return p1 * s * (1 - s);
  } else if (kind == SG_TANH) {
    const t = Mathf.tanh(p1 * z);
    return p1 * 0.5 * (1 - t * t);
  } else if (kind == SG_TRIANGLE) {
    const r: f32 = 1 - Mathf.abs(z) / p1;
    return r > 0 ? p2 * r : 0;
  } else if (kind == SG_BOXCAR) {
    return Mathf.abs(z) < p1 ? p2 : 0;
  } else if (kind == SG_STRAIGHT) {
    return p1;
  }
  // TABLE
  if (!(z >= lo && z <= hi)) return 0;
  const pos = (z - lo) / (hi - lo) * <f32>(n - 1);
  let i = <i32>pos;
  if (i >= n - 1) i = n - 2;
  const f = pos - <f32>i;
  const a0 = load<f32>(lut + (<usize>i << 2)), a1 = load<f32>(lut + (<usize>i << 2), 4);
  return a0 + (a1 - a0) * f;
}

/** σ′ of `n` values of z into out (host-side tests and plotting). */
export function surrogate_eval_f32(kind: i32, z: usize, out: usize, n: i32, p1: f32, p2: f32, lut: usize,
                                   lutN: i32, lo: f32, hi: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, surrogate_f32(kind, load<f32>(z + o), p1, p2, lut, lutN, lo, hi));
  }
}
