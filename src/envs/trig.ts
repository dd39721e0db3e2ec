// TypeScript twin of assembly/env/trig.ts: the same IEEE operations in the same order, so
// results equal the wasm kernels' bit for bit (JS numbers are IEEE doubles and V8 never fuses
// a multiply-add). Read the wasm file's header for the why and the accuracy.

const PIO2_HI = 1.5707963267341256;
const PIO2_LO = 6.077100506506192e-11;
const INV_PIO2 = 0.6366197723675814;

// Minimax kernels on |r| ≤ π/4 (the coefficients of fdlibm's __kernel_sin / __kernel_cos,
// ≤ 1 ulp); the operation order below is the contract with assembly/env/trig.ts.
const S1 = -1.66666666666666324348e-1, S2 = 8.33333333332248946124e-3, S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6, S5 = -2.50507602534068634195e-8, S6 = 1.58969099521155010221e-10;
const C1 = 4.16666666666666019037e-2, C2 = -1.38888888888741095749e-3, C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7, C5 = 2.08757232129817482790e-9, C6 = -1.13596475577881948265e-11;

function sinPoly(r: number): number {
  const z = r * r, w = z * z;
  const p = (S2 + z * (S3 + z * S4)) + (z * w) * (S5 + z * S6);
  return r + (z * r) * (S1 + z * p);
}

function cosPoly(r: number): number {
  const z = r * r, w = z * z;
  const p = z * (C1 + z * (C2 + z * C3)) + (w * w) * (C4 + z * (C5 + z * C6));
  const hz = 0.5 * z, h = 1.0 - hz;
  return h + (((1.0 - h) - hz) + z * p);
}

/**
 * sin(x) computed with +, −, ×, floor only; equal bit for bit to the wasm kernels' `det_sin`
 * and within 2 ulp of the true value for |x| < 1e5 (≤ 1 ulp on |x| ≤ π/4).
 * @param x Angle in radians.
 * @returns sin(x).
 */
export function detSin(x: number): number {
  const k = Math.floor(x * INV_PIO2 + 0.5);
  const r = (x - k * PIO2_HI) - k * PIO2_LO;
  const q = k - 4.0 * Math.floor(k * 0.25);
  if (q === 0) return sinPoly(r);
  if (q === 1) return cosPoly(r);
  if (q === 2) return -sinPoly(r);
  return -cosPoly(r);
}

/**
 * cos(x), the twin of the wasm kernels' `det_cos` (see {@link detSin}).
 * @param x Angle in radians.
 * @returns cos(x).
 */
export function detCos(x: number): number {
  const k = Math.floor(x * INV_PIO2 + 0.5);
  const r = (x - k * PIO2_HI) - k * PIO2_LO;
  const q = k - 4.0 * Math.floor(k * 0.25);
  if (q === 0) return cosPoly(r);
  if (q === 1) return -sinPoly(r);
  if (q === 2) return -cosPoly(r);
  return sinPoly(r);
}

const POW2_NEG: number[] = [];
for (let k = -1, v = 2.0; k <= 32; k++, v *= 0.5) POW2_NEG[k + 1] = v; // POW2_NEG[k + 1] = 2^−k

/**
 * ln((a + 0.5) / 2^32) for an unsigned 32-bit integer a, the twin of the wasm `det_log_u32h`.
 * @param a Integer in [0, 2^32).
 * @returns ln((a + 0.5) / 2^32), the log of a uniform in (0, 1).
 */
export function detLogU32h(a: number): number {
  const y = a + 0.5;
  let k = a === 0 ? -1 : 31 - Math.clz32(a);
  let m = y * POW2_NEG[k + 1];
  if (m > 1.4142135623730951) {
    m = m * 0.5;
    k += 1;
  }
  const s = (m - 1.0) / (m + 1.0);
  const z = s * s;
  let p = 1.0 / 23.0;
  p = 1.0 / 21.0 + z * p;
  p = 1.0 / 19.0 + z * p;
  p = 1.0 / 17.0 + z * p;
  p = 1.0 / 15.0 + z * p;
  p = 1.0 / 13.0 + z * p;
  p = 1.0 / 11.0 + z * p;
  p = 1.0 / 9.0 + z * p;
  p = 1.0 / 7.0 + z * p;
  p = 1.0 / 5.0 + z * p;
  p = 1.0 / 3.0 + z * p;
  p = 1.0 + z * p;
  return (k - 32) * 0.6931471805599453 + 2.0 * s * p;
}
