// im2col: one sample's input patches as rows, so a convolution becomes the dense matmul
//   y[pos, o] = Σ_k W[o, k] · cols[pos, k],   pos = oy·OW + ox,  k = (ky·kw + kx)·C + c,
// whose output [OH·OW, outCP] is exactly the channels-last layout the next layer reads.
// Padding positions read as 0; each row is zero-padded from kh·kw·C to KP.
import { g, G_C, G_H, G_W, G_SC, G_SY, G_SX, G_KH, G_KW, G_STRIDE_H, G_STRIDE_W, G_PAD_H, G_PAD_W,
  G_DIL_H, G_DIL_W, G_OH, G_OW, G_KP } from './geometry';

/** int8 (or spike byte) input → cols [OH·OW, KP] int8. */
export function im2col_i8(geom: usize, src: usize, cols: usize): void {
  const C = g(geom, G_C), H = g(geom, G_H), W = g(geom, G_W);
  const sC = g(geom, G_SC), sY = g(geom, G_SY), sX = g(geom, G_SX);
  const kh = g(geom, G_KH), kw = g(geom, G_KW), OH = g(geom, G_OH), OW = g(geom, G_OW), KP = g(geom, G_KP);
  const sh = g(geom, G_STRIDE_H), sw = g(geom, G_STRIDE_W), ph = g(geom, G_PAD_H), pw = g(geom, G_PAD_W);
  const dh = g(geom, G_DIL_H), dw = g(geom, G_DIL_W);
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const row = cols + <usize>((oy * OW + ox) * KP);
      let k = 0;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh - ph + ky * dh;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * sw - pw + kx * dw;
          const d = row + <usize>k;
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
            memory.fill(d, 0, <usize>C);
          } else {
            const s = src + <usize>(iy * sY + ix * sX);
            if (sC == 1) memory.copy(d, s, <usize>C);
            else for (let c = 0; c < C; c++) store<u8>(d + <usize>c, load<u8>(s + <usize>(c * sC)));
          }
          k += C;
        }
      }
      if (k < KP) memory.fill(row + <usize>k, 0, <usize>(KP - k));
    }
  }
}

/** f32 input → cols [OH·OW, KP] f32. */
export function im2col_f32(geom: usize, src: usize, cols: usize): void {
  const C = g(geom, G_C), H = g(geom, G_H), W = g(geom, G_W);
  const sC = g(geom, G_SC), sY = g(geom, G_SY), sX = g(geom, G_SX);
  const kh = g(geom, G_KH), kw = g(geom, G_KW), OH = g(geom, G_OH), OW = g(geom, G_OW), KP = g(geom, G_KP);
  const sh = g(geom, G_STRIDE_H), sw = g(geom, G_STRIDE_W), ph = g(geom, G_PAD_H), pw = g(geom, G_PAD_W);
  const dh = g(geom, G_DIL_H), dw = g(geom, G_DIL_W);
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const row = cols + (<usize>((oy * OW + ox) * KP) << 2);
      let k = 0;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh - ph + ky * dh;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * sw - pw + kx * dw;
          const d = row + (<usize>k << 2);
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
            memory.fill(d, 0, <usize>C << 2);
          } else {
            const s = src + (<usize>(iy * sY + ix * sX) << 2);
            if (sC == 1) memory.copy(d, s, <usize>C << 2);
            else for (let c = 0; c < C; c++) store<f32>(d + (<usize>c << 2), load<f32>(s + (<usize>(c * sC) << 2)));
          }
          k += C;
        }
      }
      if (k < KP) memory.fill(row + (<usize>k << 2), 0, <usize>(KP - k) << 2);
    }
  }
}
