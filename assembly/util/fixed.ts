// Scalar fixed-point helpers shared by the reference kernels (not exported from the module).

// @ts-ignore: decorator
@inline export function sat16(x: i32): i32 {
  return x > 32767 ? 32767 : x < -32768 ? -32768 : x;
}

/** Q15 multiply with rounding and saturation: exactly wasm's i16x8.q15mulr_sat_s per lane. */
// @ts-ignore: decorator
@inline export function q15mulr(a: i32, b: i32): i32 {
  return sat16((a * b + 0x4000) >> 15);
}
