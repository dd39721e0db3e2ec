// Scalar reference for the f32 dense kernel: y[b, o] = Σ_i W[o, i]·x[b, i], plain row-major
// weights W[outP, inP], summed left to right in f32 (one rounding per mul and per add), same
// argument order as `matmul_f32_simd`. The SIMD kernel sums in another order (4 lanes, then a
// tree), so the two differ by rounding only: |y_simd − y_ref| ≤ 2·inP·2^-24·Σ_i|W[o,i]·x[b,i]|
// in the worst case; on random data the tests see < 1e-6 and check ≤ 1e-5·Σ|w·x| (+1e-30).

/** Reference f32 dense layer; W row-major [outP, inP], x [batch, inP], y [batch, outP]. */
export function matmul_f32_ref(w: usize, x: usize, y: usize, batch: i32, outP: i32, inP: i32): void {
  for (let b = 0; b < batch; b++) {
    const xr = x + ((<usize>b * <usize>inP) << 2);
    const yr = y + ((<usize>b * <usize>outP) << 2);
    for (let o = 0; o < outP; o++) {
      const wr = w + ((<usize>o * <usize>inP) << 2);
      let acc: f32 = 0;
      for (let i = 0; i < inP; i++) acc += load<f32>(wr + (<usize>i << 2)) * load<f32>(xr + (<usize>i << 2));
      store<f32>(yr + (<usize>o << 2), acc);
    }
  }
}
