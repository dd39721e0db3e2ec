// Helper of the spike-list building in tr_cell_fwd_f32_simd (cell_f32.ts); not a wasm export.
// Branchless list building: PACK4 + 16·m is the i8x16.swizzle pattern that moves the i32 lanes
// whose bit is set in the 4-bit mask m to the front, so 4 candidate indices are written with one
// store and the write position advances by popcnt(m). Spike rows (~10–25 % active,
// random) would mispredict a loop over set bits every few neurons.
const PACK4: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0,
  8, 9, 10, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 8, 9, 10, 11, 0, 0, 0, 0, 0, 0, 0, 0,
  4, 5, 6, 7, 8, 9, 10, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 0, 0, 0,
  12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0,
  4, 5, 6, 7, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 0, 0, 0, 0,
  8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0,
  4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
], 16);

/** Appends the lanes of base selected by the 4-bit mask m at out[n]; returns the new n. Writes
 *  16 bytes at out + 4n (entries past the new n are scratch). */
// @ts-ignore: decorator
@inline export function tr_pack4(out: usize, n: i32, base: v128, m: i32): i32 {
  v128.store(out + (<usize>n << 2), i8x16.swizzle(base, v128.load(PACK4 + (<usize>m << 4))));
  return n + popcnt(m);
}

