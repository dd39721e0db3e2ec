// TypeScript twin of assembly/env/trig.ts: the same IEEE operations in the same order, so
// results equal the wasm kernels' bit for bit (JS numbers are IEEE doubles and V8 never fuses
// a multiply-add). Read the wasm file's header for the why and the accuracy.

const PIO2_HI = 1.5707963267341256;
const PIO2_LO = 6.077100506506192e-11;
const INV_PIO2 = 0.6366197723675814;

function sinPoly(r: number): number {
  const z = r * r;
  let p = 1.0 - z * (1.0 / 272.0);
  p = 1.0 - z * p * (1.0 / 210.0);
  p = 1.0 - z * p * (1.0 / 156.0);
  p = 1.0 - z * p * (1.0 / 110.0);
  p = 1.0 - z * p * (1.0 / 72.0);
  p = 1.0 - z * p * (1.0 / 42.0);
  p = 1.0 - z * p * (1.0 / 20.0);
  p = 1.0 - z * p * (1.0 / 6.0);
  return r * p;
}

function cosPoly(r: number): number {
  const z = r * r;
  let p = 1.0 - z * (1.0 / 306.0);
  p = 1.0 - z * p * (1.0 / 240.0);
  p = 1.0 - z * p * (1.0 / 182.0);
  p = 1.0 - z * p * (1.0 / 132.0);
  p = 1.0 - z * p * (1.0 / 90.0);
  p = 1.0 - z * p * (1.0 / 56.0);
  p = 1.0 - z * p * (1.0 / 30.0);
  p = 1.0 - z * p * (1.0 / 12.0);
  p = 1.0 - z * p * (1.0 / 2.0);
  return p;
}

/**
 * sin(x) computed with +, −, ×, floor only; equal bit for bit to the wasm kernels' `det_sin`
 * and within 2 ulp of the true value for |x| < 1e5.
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
