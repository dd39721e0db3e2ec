// Horizontal sums shared by the dense SIMD kernels: four accumulators a0..a3 (each holding 4
// partial sums for one output) → one vector [Σa0, Σa1, Σa2, Σa3], ready for one aligned store.
// Done once per register block (every inP/8 iterations), so its 6 shuffles + 3 adds are noise.
// The lane patterns are the ones V8 lowers to single x64 instructions (punpckldq/punpckhdq,
// punpcklqdq/punpckhqdq).

/** [Σa0, Σa1, Σa2, Σa3] over int32 lanes (wrapping adds). */
// @ts-ignore: decorator
@inline export function hsum4_i32(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = i32x4.add(v128.shuffle<i32>(a0, a1, 0, 4, 1, 5), v128.shuffle<i32>(a0, a1, 2, 6, 3, 7));
  const s23 = i32x4.add(v128.shuffle<i32>(a2, a3, 0, 4, 1, 5), v128.shuffle<i32>(a2, a3, 2, 6, 3, 7));
  return i32x4.add(v128.shuffle<i32>(s01, s23, 0, 1, 4, 5), v128.shuffle<i32>(s01, s23, 2, 3, 6, 7));
}

/** [Σa0, Σa1, Σa2, Σa3] over f32 lanes. */
// @ts-ignore: decorator
@inline export function hsum4_f32(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
}
