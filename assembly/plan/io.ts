// Moving a time step's data in and out of a plan's buffers.

/** Symmetric int8 input quantization: q = clamp(nearest(x·invScale), −127, 127), ties to even.
 *  src [batch, n] f32 (n unpadded), dst [batch, nP] int8; padding columns are left as they are
 *  (the host zeroes them once). */
export function quantize_f32_i8(src: usize, dst: usize, n: i32, nP: i32, batch: i32, invScale: f32): void {
  const k = f32x4.splat(invScale), lo = f32x4.splat(-127), hi = f32x4.splat(127);
  for (let b = 0; b < batch; b++) {
    const s = src + (<usize>(b * n) << 2);
    const d = dst + <usize>(b * nP);
    let i = 0;
    // 16 inputs per iteration, one 16-byte store. min/max before the conversion keep values in
    // int8 range; nearest is ties-to-even.
    for (; i + 16 <= n; i += 16) {
      const p = s + (<usize>i << 2);
      const q0 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.min(f32x4.max(f32x4.mul(v128.load(p), k), lo), hi)));
      const q1 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.min(f32x4.max(f32x4.mul(v128.load(p, 16), k), lo), hi)));
      const q2 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.min(f32x4.max(f32x4.mul(v128.load(p, 32), k), lo), hi)));
      const q3 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.min(f32x4.max(f32x4.mul(v128.load(p, 48), k), lo), hi)));
      v128.store(d + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(q0, q1), i16x8.narrow_i32x4_s(q2, q3)));
    }
    for (; i < n; i++) {
      let x = nearest<f32>(load<f32>(s + (<usize>i << 2)) * invScale);
      x = x < -127 ? -127 : x > 127 ? 127 : x;
      store<i8>(d + <usize>i, <i8><i32>x);
    }
  }
}

/** Spike input: dst[b, i] = src[b, i] != 0 ? 1 : 0 (bytes), src [batch, n] f32, dst [batch, nP]. */
export function spikes_f32_u8(src: usize, dst: usize, n: i32, nP: i32, batch: i32): void {
  const zero = f32x4.splat(0), one = i8x16.splat(1);
  for (let b = 0; b < batch; b++) {
    const s = src + (<usize>(b * n) << 2);
    const d = dst + <usize>(b * nP);
    let i = 0;
    for (; i + 16 <= n; i += 16) {
      const p = s + (<usize>i << 2);
      const m = i8x16.narrow_i16x8_s(
        i16x8.narrow_i32x4_s(f32x4.ne(v128.load(p), zero), f32x4.ne(v128.load(p, 16), zero)),
        i16x8.narrow_i32x4_s(f32x4.ne(v128.load(p, 32), zero), f32x4.ne(v128.load(p, 48), zero)));
      v128.store(d + <usize>i, v128.and(m, one));
    }
    for (; i < n; i++) store<u8>(d + <usize>i, load<f32>(s + (<usize>i << 2)) != 0 ? 1 : 0);
  }
}

/** src [batch, n] f32 → dst [batch, nP] f32 (padding untouched). */
export function copy_rows(src: usize, dst: usize, rowBytes: i32, srcStride: i32, dstStride: i32, rows: i32): void {
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + <usize>(r * dstStride), src + <usize>(r * srcStride), <usize>rowBytes);
  }
}

/** Spike bytes (0/1) → f32 activations for the float matmul: dst[i] = src[i]. count % 16 == 0. */
export function u8_to_f32(src: usize, dst: usize, count: i32): void {
  for (let i = 0; i < count; i += 16) {
    const s = v128.load(src + <usize>i);
    const lo = i16x8.extend_low_i8x16_u(s), hi = i16x8.extend_high_i8x16_u(s);
    const d = dst + (<usize>i << 2);
    v128.store(d, f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)));
    v128.store(d, f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), 16);
    v128.store(d, f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), 32);
    v128.store(d, f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), 48);
  }
}

/** Number of non-finite (NaN, ±Infinity) values in src [n]: x − x is NaN exactly for those. */
export function count_nonfinite_f32(src: usize, n: i32): i32 {
  let count = 0;
  let i = 0;
  const zero = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(src + (<usize>i << 2));
    count += popcnt<i32>(i32x4.bitmask(f32x4.ne(f32x4.sub(v, v), zero)));
  }
  for (; i < n; i++) {
    const x = load<f32>(src + (<usize>i << 2));
    if (x - x != 0) count++;
  }
  return count;
}

/** Dequantized membrane record: dst[b, i] = src[b, i] · unit[i] for i < n (src rows of nP int16). */
export function dequantize_rows_i16(src: usize, unit: usize, dst: usize, n: i32, nP: i32, batch: i32): void {
  for (let b = 0; b < batch; b++) {
    const s = src + (<usize>(b * nP) << 1), d = dst + (<usize>(b * n) << 2);
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const v = v128.load(s + (<usize>i << 1));
      const p = <usize>i << 2;
      v128.store(d + p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(v)), v128.load(unit + p)));
      v128.store(d + p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(v)), v128.load(unit + p, 16)), 16);
    }
    for (; i < n; i++) {
      store<f32>(d + (<usize>i << 2), <f32>load<i16>(s + (<usize>i << 1)) * load<f32>(unit + (<usize>i << 2)));
    }
  }
}

/** Reordering record: dst[r, i] = src[r·srcStride + map[i]] for i < n, bytes (spikes of a conv
 *  layer, channels-last inside the plan, [C, H, W] at the API). map [n] int32. */
export function gather_rows_u8(src: usize, srcStride: i32, map: usize, dst: usize, n: i32, rows: i32): void {
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>(r * srcStride), d = dst + <usize>(r * n);
    for (let i = 0; i < n; i++) store<u8>(d + <usize>i, load<u8>(s + <usize>load<i32>(map + (<usize>i << 2))));
  }
}

/** As gather_rows_u8 for f32 rows, or int16 rows dequantized by unit (internal order) when unit != 0. */
export function gather_rows_f32(src: usize, srcStride: i32, map: usize, unit: usize, dst: usize, n: i32, rows: i32): void {
  for (let r = 0; r < rows; r++) {
    const d = dst + (<usize>(r * n) << 2);
    for (let i = 0; i < n; i++) {
      const k = <usize>load<i32>(map + (<usize>i << 2));
      const v = unit != 0
        ? <f32>load<i16>(src + ((<usize>(r * srcStride) + k) << 1)) * load<f32>(unit + (k << 2))
        : load<f32>(src + ((<usize>(r * srcStride) + k) << 2));
      store<f32>(d + (<usize>i << 2), v);
    }
  }
}
