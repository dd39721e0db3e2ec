// Scalar references for the int8 dense kernels: y[b, o] = Σ_i W[o, i]·x[b, i], with plain
// row-major weights W[outP, inP] (not packed), same argument order as the SIMD kernels.
// Accumulation is int32 with wrapping adds, so it equals the SIMD kernels bit for bit even
// in the (never expected) case of overflow: wrapping addition is associative mod 2^32.
// No wrap happens while |acc| ≤ 128·128·inP < 2^31 (int8 × int8: inP ≤ 131071) or
// 128·32768·inP < 2^31 (int8 × int16: inP ≤ 511 at worst-case values, e.g. all −128 × −32768).
// Reads exactly outP·inP weights and batch·inP activations; writes batch·outP outputs.

/** Reference int8 × int8 → int32 dense layer; W row-major [outP, inP], x [batch, inP], y [batch, outP]. */
export function matmul_i8_ref(w: usize, x: usize, y: usize, batch: i32, outP: i32, inP: i32): void {
  for (let b = 0; b < batch; b++) {
    const xr = x + <usize>b * <usize>inP;
    const yr = y + ((<usize>b * <usize>outP) << 2);
    for (let o = 0; o < outP; o++) {
      const wr = w + <usize>o * <usize>inP;
      let acc: i32 = 0;
      for (let i = 0; i < inP; i++) acc += <i32>load<i8>(wr + <usize>i) * <i32>load<i8>(xr + <usize>i);
      store<i32>(yr + (<usize>o << 2), acc);
    }
  }
}

/** Reference int8 weights × int16 activations → int32; W row-major [outP, inP], x [batch, inP] i16. */
export function matmul_i8i16_ref(w: usize, x: usize, y: usize, batch: i32, outP: i32, inP: i32): void {
  for (let b = 0; b < batch; b++) {
    const xr = x + ((<usize>b * <usize>inP) << 1);
    const yr = y + ((<usize>b * <usize>outP) << 2);
    for (let o = 0; o < outP; o++) {
      const wr = w + <usize>o * <usize>inP;
      let acc: i32 = 0;
      for (let i = 0; i < inP; i++) acc += <i32>load<i8>(wr + <usize>i) * <i32>load<i16>(xr + (<usize>i << 1));
      store<i32>(yr + (<usize>o << 2), acc);
    }
  }
}
