// Weight packing for the dense SIMD kernels. The host calls these once per layer when it
// compiles a network; the kernels then read one contiguous stream per register block.
//
// i8 layout ("p4c8, widened"): panels of 4 output rows; inside panel p, for each chunk of 8
// inputs k, the 4 rows' 8 weights follow each other, WIDENED to int16:
//   dst[((p·(inP/8) + k)·4 + j)·8 + c] = (i16) W[4p + j, 8k + c]        (2 bytes each)
// so one 64-byte run feeds a 2-row × 4-output block of `i32x4.dot_i16x8_s` with plain
// `v128.load`s. Storing int16 doubles the packed size (2·outP·inP bytes) but measured
// 512×512 batch 64: int8 packing widened in the kernel with `load8x8_s` ran 27–29 GMAC/s,
// int16 packing 39–40 GMAC/s — on Zen the widening `vpmovsxbw` competes for the same vector
// pipes as `vpmaddwd`/`vpaddd`, while a plain load uses only a load port.
//
// f32 layout ("p4c4"): panels of 4 output rows, chunks of 4 inputs:
//   dst[((p·(inP/4) + k)·4 + j)·4 + c] = W[4p + j, 4k + c]               (4 bytes each)
//
// Both need outP % 4 == 0 and inP % 8 == 0 (the host pads both to multiples of 16).
// Each pack writes exactly packed_*_bytes(outP, inP) bytes at dst and reads exactly outP·inP
// elements of src: no padding, nothing read or written past either end.

/** Bytes `pack_i8` writes for an [outP, inP] int8 matrix: 2·outP·inP (weights stored as int16). */
export function packed_i8_bytes(outP: i32, inP: i32): i32 {
  return outP * inP * 2;
}

/** Bytes `pack_f32` writes for an [outP, inP] f32 matrix: 4·outP·inP. */
export function packed_f32_bytes(outP: i32, inP: i32): i32 {
  return outP * inP * 4;
}

/**
 * Packs row-major int8 weights src[outP, inP] into the p4c8 int16 layout read by
 * `matmul_i8_simd` and `matmul_i8i16_simd`. outP % 4 == 0, inP % 8 == 0.
 */
export function pack_i8(src: usize, dst: usize, outP: i32, inP: i32): void {
  const rs = <usize>inP;
  let d = dst;
  for (let p = 0; p < outP; p += 4) {
    const r0 = src + <usize>p * rs;
    for (let k: usize = 0; k < rs; k += 8) {
      const s = r0 + k;
      v128.store(d, v128.load8x8_s(s), 0);
      v128.store(d, v128.load8x8_s(s + rs), 16);
      v128.store(d, v128.load8x8_s(s + 2 * rs), 32);
      v128.store(d, v128.load8x8_s(s + 3 * rs), 48);
      d += 64;
    }
  }
}

/**
 * Packs row-major f32 weights src[outP, inP] into the p4c4 layout read by `matmul_f32_simd`.
 * outP % 4 == 0, inP % 4 == 0.
 */
export function pack_f32(src: usize, dst: usize, outP: i32, inP: i32): void {
  const rs = <usize>inP << 2;
  let d = dst;
  for (let p = 0; p < outP; p += 4) {
    const r0 = src + <usize>p * rs;
    for (let k: usize = 0; k < rs; k += 16) {
      const s = r0 + k;
      v128.store(d, v128.load(s), 0);
      v128.store(d, v128.load(s + rs), 16);
      v128.store(d, v128.load(s + 2 * rs), 32);
      v128.store(d, v128.load(s + 3 * rs), 48);
      d += 64;
    }
  }
}
