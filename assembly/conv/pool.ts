// Sum / average pooling of activations into the channels-last layout [OH, OW, outCP]:
//   dst[oy, ox, c] = scale · Σ_{ky,kx} src[c, oy·sh − ph + ky, ox·sw − pw + kx]   (out of range: 0)
// int8 plans pool spike bytes into small integer counts (the host checks kh·kw ≤ 127, so they
// fit int8 activations; average pooling's 1/(kh·kw) is folded into the next layer's input
// scale); f32 plans pool floats with `scale` = 1 (sum) or 1/(kh·kw) (average, padding counted).
import { g, G_C, G_H, G_W, G_SC, G_SY, G_SX, G_KH, G_KW, G_STRIDE_H, G_STRIDE_W, G_PAD_H, G_PAD_W, G_OH, G_OW,
  G_OUT_CP } from './geometry';

export function pool_u8(geom: usize, src: usize, dst: usize): void {
  const C = g(geom, G_C), H = g(geom, G_H), W = g(geom, G_W);
  const sC = g(geom, G_SC), sY = g(geom, G_SY), sX = g(geom, G_SX);
  const kh = g(geom, G_KH), kw = g(geom, G_KW), OH = g(geom, G_OH), OW = g(geom, G_OW), CP = g(geom, G_OUT_CP);
  const sh = g(geom, G_STRIDE_H), sw = g(geom, G_STRIDE_W), ph = g(geom, G_PAD_H), pw = g(geom, G_PAD_W);
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const out = dst + <usize>((oy * OW + ox) * CP);
      memory.fill(out, 0, <usize>CP);
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh - ph + ky;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * sw - pw + kx;
          if (ix < 0 || ix >= W) continue;
          const s = src + <usize>(iy * sY + ix * sX);
          if (sC == 1) {
            for (let c = 0; c < C; c += 16) {
              v128.store(out + <usize>c, i8x16.add(v128.load(out + <usize>c), v128.load(s + <usize>c)));
            }
          } else {
            for (let c = 0; c < C; c++) store<u8>(out + <usize>c, load<u8>(out + <usize>c) + load<u8>(s + <usize>(c * sC)));
          }
        }
      }
    }
  }
}

export function pool_f32(geom: usize, src: usize, dst: usize, scale: f32): void {
  const C = g(geom, G_C), H = g(geom, G_H), W = g(geom, G_W);
  const sC = g(geom, G_SC), sY = g(geom, G_SY), sX = g(geom, G_SX);
  const kh = g(geom, G_KH), kw = g(geom, G_KW), OH = g(geom, G_OH), OW = g(geom, G_OW), CP = g(geom, G_OUT_CP);
  const sh = g(geom, G_STRIDE_H), sw = g(geom, G_STRIDE_W), ph = g(geom, G_PAD_H), pw = g(geom, G_PAD_W);
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const out = dst + (<usize>((oy * OW + ox) * CP) << 2);
      memory.fill(out, 0, <usize>CP << 2);
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh - ph + ky;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * sw - pw + kx;
          if (ix < 0 || ix >= W) continue;
          const s = src + (<usize>(iy * sY + ix * sX) << 2);
          for (let c = 0; c < C; c++) {
            const o = out + (<usize>c << 2);
            store<f32>(o, load<f32>(o) + load<f32>(s + (<usize>(c * sC) << 2)));
          }
        }
      }
      if (scale != 1) for (let c = 0; c < C; c++) store<f32>(out + (<usize>c << 2), load<f32>(out + (<usize>c << 2)) * scale);
    }
  }
}
