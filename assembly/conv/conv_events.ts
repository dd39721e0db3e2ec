// Event-driven convolution: a nonzero input at (c, iy, ix) scatters its kernel slice into every
// output pixel whose receptive field contains it:
//   oy·stride_h = iy + pad_h − ky·dil_h  (and likewise for x), 0 ≤ oy < OH,
//   y[oy, ox, :] += wT[c, ky, kx, :] · value,
// with wT stored [C, kh, kw, outCP] so each scatter is one contiguous SIMD row of output
// channels (the output is channels-last [OH, OW, outCP]). y is overwritten. The int8 variant
// accumulates in int32 and equals the dense im2col·matmul path exactly.
import { g, decode, G_KH, G_KW, G_STRIDE_H, G_STRIDE_W, G_PAD_H, G_PAD_W, G_DIL_H, G_DIL_W, G_OH, G_OW,
  G_OUT_CP } from './geometry';

/** Calls `body(outOffsetElements, weightRowIndex)` for every output touched by input (c, iy, ix);
 *  returns how many (ky, kx) positions were valid. */
// @ts-ignore: decorator
@inline function forTargets(geom: usize, c: i32, iy: i32, ix: i32, y: usize, wT: usize, valued: i32, v: i32,
                            f32: bool, vf: f32): i32 {
  const kh = g(geom, G_KH), kw = g(geom, G_KW), sh = g(geom, G_STRIDE_H), sw = g(geom, G_STRIDE_W);
  const ph = g(geom, G_PAD_H), pw = g(geom, G_PAD_W), dh = g(geom, G_DIL_H), dw = g(geom, G_DIL_W);
  const OH = g(geom, G_OH), OW = g(geom, G_OW), CP = g(geom, G_OUT_CP);
  let n = 0;
  for (let ky = 0; ky < kh; ky++) {
    const ny = iy + ph - ky * dh;
    if (ny < 0 || ny % sh != 0) continue;
    const oy = ny / sh;
    if (oy >= OH) continue;
    for (let kx = 0; kx < kw; kx++) {
      const nx = ix + pw - kx * dw;
      if (nx < 0 || nx % sw != 0) continue;
      const ox = nx / sw;
      if (ox >= OW) continue;
      n++;
      if (y == 0) continue; // counting only
      const row = <usize>(((c * kh + ky) * kw + kx) * CP);
      const out = y + (<usize>((oy * OW + ox) * CP) << 2);
      if (f32) {
        const s = f32x4.splat(vf);
        for (let o = 0; o < CP; o += 4) {
          const p = out + (<usize>o << 2);
          v128.store(p, f32x4.add(v128.load(p), f32x4.mul(v128.load(wT + ((row + <usize>o) << 2)), s)));
        }
      } else {
        const s = i16x8.splat(<i16>v);
        for (let o = 0; o < CP; o += 16) {
          const w8 = v128.load(wT + row + <usize>o);
          let lo = i16x8.extend_low_i8x16_s(w8), hi = i16x8.extend_high_i8x16_s(w8);
          const p = out + (<usize>o << 2);
          if (valued != 0) {
            v128.store(p, i32x4.add(v128.load(p), i32x4.extmul_low_i16x8_s(lo, s)));
            v128.store(p, i32x4.add(v128.load(p, 16), i32x4.extmul_high_i16x8_s(lo, s)), 16);
            v128.store(p, i32x4.add(v128.load(p, 32), i32x4.extmul_low_i16x8_s(hi, s)), 32);
            v128.store(p, i32x4.add(v128.load(p, 48), i32x4.extmul_high_i16x8_s(hi, s)), 48);
          } else {
            v128.store(p, i32x4.add(v128.load(p), i32x4.extend_low_i16x8_s(lo)));
            v128.store(p, i32x4.add(v128.load(p, 16), i32x4.extend_high_i16x8_s(lo)), 16);
            v128.store(p, i32x4.add(v128.load(p, 32), i32x4.extend_low_i16x8_s(hi)), 32);
            v128.store(p, i32x4.add(v128.load(p, 48), i32x4.extend_high_i16x8_s(hi)), 48);
          }
        }
      }
    }
  }
  return n;
}

/** int8 events: y [OH·OW, outCP] int32 = scatter of `count` events of x (int8 values, or spikes
 *  when valued == 0). Returns the number of (event, kernel position) pairs. */
export function conv_events_i8(geom: usize, wT: usize, x: usize, idx: usize, count: i32, y: usize, valued: i32): i32 {
  memory.fill(y, 0, <usize>(g(geom, G_OH) * g(geom, G_OW) * g(geom, G_OUT_CP)) << 2);
  let n = 0;
  for (let e = 0; e < count; e++) {
    const i = load<i32>(idx + (<usize>e << 2));
    const d = decode(geom, i);
    n += forTargets(geom, <i32>(d >> 40), <i32>((d >> 20) & 0xfffff), <i32>(d & 0xfffff), y, wT, valued,
                    <i32>load<i8>(x + <usize>i), false, 0);
  }
  return n;
}

/** f32 events (value 1 when x == 0, else x[i]). */
export function conv_events_f32(geom: usize, wT: usize, x: usize, idx: usize, count: i32, y: usize): i32 {
  memory.fill(y, 0, <usize>(g(geom, G_OH) * g(geom, G_OW) * g(geom, G_OUT_CP)) << 2);
  let n = 0;
  for (let e = 0; e < count; e++) {
    const i = load<i32>(idx + (<usize>e << 2));
    const d = decode(geom, i);
    n += forTargets(geom, <i32>(d >> 40), <i32>((d >> 20) & 0xfffff), <i32>(d & 0xfffff), y, wT, 0, 0, true,
                    x == 0 ? <f32>1 : load<f32>(x + (<usize>i << 2)));
  }
  return n;
}

/** Number of (event, kernel position) pairs of an event list, without computing anything. */
export function conv_fanout(geom: usize, idx: usize, count: i32): i32 {
  let n = 0;
  for (let e = 0; e < count; e++) {
    const d = decode(geom, load<i32>(idx + (<usize>e << 2)));
    n += forTargets(geom, <i32>(d >> 40), <i32>((d >> 20) & 0xfffff), <i32>(d & 0xfffff), 0, 0, 0, 0, false, 0);
  }
  return n;
}
