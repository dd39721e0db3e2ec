// Deterministic f64 sin/cos/log built from IEEE-754 +, −, ×, ÷ and floor only.
//
// Why not Math.sin? wasm has no sin instruction: AssemblyScript links a musl port, V8's
// Math.sin is an fdlibm port. Both are faithful (≤ 1 ulp) but not always the same ulp, and an
// environment or a noise stream computed in wasm must equal its TypeScript twin bit for bit
// (src/envs/trig.ts mirrors this file operation by operation; wasm and JS f64 arithmetic are
// both IEEE double with no fused multiply-add, so the same op sequence gives the same bits).
// Accuracy: |error| ≤ 2 ulp for |x| < 1e5 (Cody–Waite reduction by π/2 with a 2-term π/2,
// Taylor series to x^18 on |r| ≤ π/4), i.e. far inside the 1e-12 the env tests allow.

// π/2 split so that k·PIO2_HI is exact for |k| < 2^20 (PIO2_HI has 33 significant bits).
export const PIO2_HI: f64 = 1.5707963267341256;   // 0x3FF921FB54400000
export const PIO2_LO: f64 = 6.077100506506192e-11; // π/2 − PIO2_HI
export const INV_PIO2: f64 = 0.6366197723675814;

// Taylor series in Horner form, p ← 1 − z·p·(1/(n(n+1))), reciprocals as constants (a chain
// of divisions would cost ~15 cycles each). Terms to r^17 / r^18: error < 1e-19 on |r| ≤ π/4.
// @ts-ignore: decorator
@inline function sinPoly(r: f64): f64 {
  const z = r * r;
  let p: f64 = 1.0 - z * (1.0 / 272.0);
  p = 1.0 - z * p * (1.0 / 210.0);
  p = 1.0 - z * p * (1.0 / 156.0);
  p = 1.0 - z * p * (1.0 / 110.0);
  p = 1.0 - z * p * (1.0 / 72.0);
  p = 1.0 - z * p * (1.0 / 42.0);
  p = 1.0 - z * p * (1.0 / 20.0);
  p = 1.0 - z * p * (1.0 / 6.0);
  return r * p;
}
// @ts-ignore: decorator
@inline function cosPoly(r: f64): f64 {
  const z = r * r;
  let p: f64 = 1.0 - z * (1.0 / 306.0);
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
// f64x2 pairs in a table (1, then sinPoly's at +16 … +128, cosPoly's at +144 … +272) read with
// v128.load: V8 builds an f64x2 constant with three instructions and, once CSE has merged the
// copies of several inlined call sites, keeps it in a spilled register; a load does neither.
export const POLY2: usize = memory.data<f64>([
  1.0, 1.0,
  1.0 / 272.0, 1.0 / 272.0, 1.0 / 210.0, 1.0 / 210.0, 1.0 / 156.0, 1.0 / 156.0, 1.0 / 110.0, 1.0 / 110.0,
  1.0 / 72.0, 1.0 / 72.0, 1.0 / 42.0, 1.0 / 42.0, 1.0 / 20.0, 1.0 / 20.0, 1.0 / 6.0, 1.0 / 6.0,
  1.0 / 306.0, 1.0 / 306.0, 1.0 / 240.0, 1.0 / 240.0, 1.0 / 182.0, 1.0 / 182.0, 1.0 / 132.0, 1.0 / 132.0,
  1.0 / 90.0, 1.0 / 90.0, 1.0 / 56.0, 1.0 / 56.0, 1.0 / 30.0, 1.0 / 30.0, 1.0 / 12.0, 1.0 / 12.0, 1.0 / 2.0, 1.0 / 2.0,
], 16);
// @ts-ignore: decorator
@inline export function sinPoly2(r: v128): v128 {
  const z = f64x2.mul(r, r), one = v128.load(POLY2);
  let p = f64x2.sub(one, f64x2.mul(z, v128.load(POLY2, 16)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 32)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 48)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 64)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 80)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 96)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 112)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 128)));
  return f64x2.mul(r, p);
}
// @ts-ignore: decorator
@inline export function cosPoly2(r: v128): v128 {
  const z = f64x2.mul(r, r), one = v128.load(POLY2);
  let p = f64x2.sub(one, f64x2.mul(z, v128.load(POLY2, 144)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 160)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 176)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 192)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 208)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 224)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 240)));
  p = f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 256)));
  return f64x2.sub(one, f64x2.mul(f64x2.mul(z, p), v128.load(POLY2, 272)));
}
