// Deterministic f64 sin/cos/log built from IEEE-754 +, −, ×, ÷ and floor only.
//
// Why not Math.sin? wasm has no sin instruction: AssemblyScript links a musl port, V8's
// Math.sin is an fdlibm port. Both are faithful (≤ 1 ulp) but not always the same ulp, and an
// environment or a noise stream computed in wasm must equal its TypeScript twin bit for bit
// (src/envs/trig.ts mirrors this file operation by operation; wasm and JS f64 arithmetic are
// both IEEE double with no fused multiply-add, so the same op sequence gives the same bits).
// Accuracy: |error| ≤ 2 ulp for |x| < 1e5 (Cody–Waite reduction by π/2 with a 2-term π/2,
// minimax polynomials on |r| ≤ π/4), i.e. far inside the 1e-12 the env tests allow.

// π/2 split so that k·PIO2_HI is exact for |k| < 2^20 (PIO2_HI has 33 significant bits).
export const PIO2_HI: f64 = 1.5707963267341256;   // 0x3FF921FB54400000
export const PIO2_LO: f64 = 6.077100506506192e-11; // π/2 − PIO2_HI
export const INV_PIO2: f64 = 0.6366197723675814;

// Minimax polynomials on |r| ≤ π/4 with the coefficients of fdlibm's __kernel_sin and
// __kernel_cos (≤ 1 ulp there): 33 operations for both with z = r² shared, against 52 for the
// Taylor series to r^18 used before; in the CartPole kernel they were a third of the physics.
// The operation order is the contract with the TypeScript twin (and with sinPoly2/cosPoly2).
export const S1: f64 = -1.66666666666666324348e-1, S2: f64 = 8.33333333332248946124e-3;
export const S3: f64 = -1.98412698298579493134e-4, S4: f64 = 2.75573137070700676789e-6;
export const S5: f64 = -2.50507602534068634195e-8, S6: f64 = 1.58969099521155010221e-10;
export const C1: f64 = 4.16666666666666019037e-2, C2: f64 = -1.38888888888741095749e-3;
export const C3: f64 = 2.48015872894767294178e-5, C4: f64 = -2.75573143513906633035e-7;
export const C5: f64 = 2.08757232129817482790e-9, C6: f64 = -1.13596475577881948265e-11;

// @ts-ignore: decorator
@inline function sinPoly(r: f64): f64 {
  const z = r * r, w = z * z;
  const p = (S2 + z * (S3 + z * S4)) + (z * w) * (S5 + z * S6);
  return r + (z * r) * (S1 + z * p);
}
// @ts-ignore: decorator
@inline function cosPoly(r: f64): f64 {
  const z = r * r, w = z * z;
  const p = z * (C1 + z * (C2 + z * C3)) + (w * w) * (C4 + z * (C5 + z * C6));
  const hz = 0.5 * z, h = 1.0 - hz;
  return h + (((1.0 - h) - hz) + z * p);
}

/** Reduced argument and quadrant of x: x = k·π/2 + r, |r| ≤ ~π/4. */
// @ts-ignore: decorator
@inline function quadrant(x: f64): f64 {
  return Math.floor(x * INV_PIO2 + 0.5);
}

/** sin(x), deterministic (see file header). */
export function det_sin(x: f64): f64 {
  const k = quadrant(x);
  const r = (x - k * PIO2_HI) - k * PIO2_LO;
  const q = (<i32>(k - 4.0 * Math.floor(k * 0.25)));
  if (q == 0) return sinPoly(r);
  if (q == 1) return cosPoly(r);
  if (q == 2) return -sinPoly(r);
  return -cosPoly(r);
}

/** cos(x), deterministic (see file header). */
export function det_cos(x: f64): f64 {
  const k = quadrant(x);
  const r = (x - k * PIO2_HI) - k * PIO2_LO;
  const q = (<i32>(k - 4.0 * Math.floor(k * 0.25)));
  if (q == 0) return cosPoly(r);
  if (q == 1) return -sinPoly(r);
  if (q == 2) return -cosPoly(r);
  return sinPoly(r);
}

/**
 * ln((a + 0.5) / 2^32) for a u32 a: the log of a uniform in (0, 1), as Box–Muller needs; a + 0.5 = m·2^k,
 * m in [√½, √2), ln m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.1716, series to s^23.
 */
export function det_log_u32h(a: u32): f64 {
  const y = <f64>a + 0.5;
  let k: i32 = a == 0 ? -1 : 31 - <i32>clz<u32>(a);
  let m = y * reinterpret<f64>(<u64>(1023 - k) << 52); // y·2^−k, exact
  if (m > 1.4142135623730951) {
    m = m * 0.5;
    k += 1;
  }
  const s = (m - 1.0) / (m + 1.0);
  const z = s * s;
  let p: f64 = 1.0 / 23.0;
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
  return <f64>(k - 32) * 0.6931471805599453 + 2.0 * s * p;
}


// Two-lane (f64x2) twins of sinPoly/cosPoly: the same operations per lane, so each lane equals
// the scalar result bit for bit (SIMD f64 arithmetic is IEEE per lane). The coefficients are
// f64x2 pairs in a table read with v128.load: V8 builds an f64x2 constant with three
// instructions and, once CSE has merged the copies of several inlined call sites, keeps it in
// a spilled register; a load does neither. Layout (byte offsets): 1 at 0, 0.5 at 16,
// S1…S6 at 32…112, C1…C6 at 128…208.
export const POLY2: usize = memory.data<f64>([
  1.0, 1.0, 0.5, 0.5,
  S1, S1, S2, S2, S3, S3, S4, S4, S5, S5, S6, S6,
  C1, C1, C2, C2, C3, C3, C4, C4, C5, C5, C6, C6,
], 16);
// @ts-ignore: decorator
@inline export function sinPoly2(r: v128): v128 {
  const z = f64x2.mul(r, r), w = f64x2.mul(z, z);
  const lo = f64x2.add(v128.load(POLY2, 48), f64x2.mul(z, f64x2.add(v128.load(POLY2, 64), f64x2.mul(z, v128.load(POLY2, 80)))));
  const hi = f64x2.mul(f64x2.mul(z, w), f64x2.add(v128.load(POLY2, 96), f64x2.mul(z, v128.load(POLY2, 112))));
  const p = f64x2.add(lo, hi);
  return f64x2.add(r, f64x2.mul(f64x2.mul(z, r), f64x2.add(v128.load(POLY2, 32), f64x2.mul(z, p))));
}
// @ts-ignore: decorator
@inline export function cosPoly2(r: v128): v128 {
  const z = f64x2.mul(r, r), w = f64x2.mul(z, z), one = v128.load(POLY2);
  const lo = f64x2.mul(z, f64x2.add(v128.load(POLY2, 128), f64x2.mul(z, f64x2.add(v128.load(POLY2, 144), f64x2.mul(z, v128.load(POLY2, 160))))));
  const hi = f64x2.mul(f64x2.mul(w, w), f64x2.add(v128.load(POLY2, 176), f64x2.mul(z, f64x2.add(v128.load(POLY2, 192), f64x2.mul(z, v128.load(POLY2, 208))))));
  const p = f64x2.add(lo, hi);
  const hz = f64x2.mul(v128.load(POLY2, 16), z), h = f64x2.sub(one, hz);
  return f64x2.add(h, f64x2.add(f64x2.sub(f64x2.sub(one, h), hz), f64x2.mul(z, p)));
}
