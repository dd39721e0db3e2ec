// matmul_i8i16_simd: y[b, o] = Σ_i W[o, i]·x[b, i], int8 weights × int16 activations → int32,
// outputs overwritten. Exact and equal to `matmul_i8i16_ref` bit for bit (int32 wrapping adds
// are associative mod 2^32). No wrap while 128·32768·inP < 2^31: guaranteed only for
// inP ≤ 511 at worst-case values (all −128 × −32768); typical activations are far smaller.
// `i32x4.dot_i16x8_s` itself cannot overflow here: its one overflowing case needs a −32768
// weight, and weights are int8.
//
// Layout: w is `pack_i8` output (p4c8 widened to int16, see pack.ts), the same packed buffer
// `matmul_i8_simd` reads. x row-major int16 [batch, inP], y row-major int32 [batch, outP].
// Host guarantees: pointers 16-byte aligned, outP % 16 == 0, inP % 16 == 0 (the kernel needs
// only outP % 8 and inP % 8, both > 0), batch ≥ 1. Reads exactly 2·outP·inP weight bytes and
// 2·batch·inP activation bytes; nothing past the end of any buffer is read or written.
//
// Blocking: identical to matmul_i8_simd (see there): panels of 4 outputs outer, pairs of rows
// inner, register block 2 rows × 4 outputs (8 accumulators + 2 activations + 4 weights + 1
// temporary = 15 xmm), 1 × 8 path for an odd last row and batch 1. Activations need no
// widening here (plain `v128.load`), so the block is 8 vpmaddwd + 8 vpaddd per 64 MACs.
// Measured (AMD EPYC Zen 4 KVM, Node 20.20, median; see bench/kernel-probe-dense.mjs):
//   hot weights, GMAC/s at batch 1 / batch 64:
//     128×704: 27 / 41.5   256×256: 30–32 / 41.4–43.6   512×512: 32 / 43.1–44.4
//     1024×1024: 29 / 44.1 (register peak of dot_i16x8_s ≈ 48 on this machine).
import { hsum4_i32 } from './hsum';

/** int8 W (packed by `pack_i8`) × int16 x[batch, inP] → int32 y[batch, outP]. */
export function matmul_i8i16_simd(w: usize, x: usize, y: usize, batch: i32, outP: i32, inP: i32): void {
  const xs = <usize>inP << 1, ys = <usize>outP << 2, ws = <usize>inP << 3; // activation row / output row / weight panel strides (bytes)
  const pairs = batch & ~1;
  const wlast = w + (<usize>outP >> 2) * ws;
  if (pairs > 0) {
    // Pointer induction variables and do-while loops: V8 then keeps the inner loop to 3 adds,
    // a compare and its stack check (counting loops with x + b·xs + k re-derived addresses
    // and spilled invariants every iteration, ≈ 14 scalar instructions, −4…19 %).
    const xend = x + <usize>pairs * xs;
    let wp = w, yp = y;
    do { // panels of 4 outputs
      const wend = wp + ws;
      let xb = x, yq = yp;
      do { // pairs of rows
        let a00 = i32x4.splat(0), a01 = a00, a02 = a00, a03 = a00;
        let a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        let p0 = xb, p1 = xb + xs, wq = wp;
        do { // 8 inputs: 2 activation vectors × 4 weight vectors
          const v0 = v128.load(p0), v1 = v128.load(p1);
          let t = v128.load(wq, 0);
          a00 = i32x4.add(a00, i32x4.dot_i16x8_s(v0, t)); a10 = i32x4.add(a10, i32x4.dot_i16x8_s(v1, t));
          t = v128.load(wq, 16);
          a01 = i32x4.add(a01, i32x4.dot_i16x8_s(v0, t)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(v1, t));
          t = v128.load(wq, 32);
          a02 = i32x4.add(a02, i32x4.dot_i16x8_s(v0, t)); a12 = i32x4.add(a12, i32x4.dot_i16x8_s(v1, t));
          t = v128.load(wq, 48);
          a03 = i32x4.add(a03, i32x4.dot_i16x8_s(v0, t)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(v1, t));
          p0 += 16; p1 += 16; wq += 64;
        } while (wq < wend);
        v128.store(yq, hsum4_i32(a00, a01, a02, a03));
        v128.store(yq + ys, hsum4_i32(a10, a11, a12, a13));
        xb += xs << 1; yq += ys << 1;
      } while (xb < xend);
      wp = wend; yp += 16;
    } while (wp < wlast);
  }
  if (batch & 1) rowvec_i8i16(w, x + <usize>pairs * xs, y + <usize>pairs * ys, outP, inP);
}

// One activation row × all outputs (the mat-vec path, and the odd last row): 1 row × 8
// outputs, two panels read as two streams; 8 accumulators + 1 activation + 1 weight vector.
function rowvec_i8i16(w: usize, x0: usize, yq: usize, outP: i32, inP: i32): void {
  const ws = <usize>inP << 3;
  const wlast = w + (<usize>outP >> 2) * ws;
  let wa = w;
  do { // pairs of panels (outP % 8 == 0)
    const wend = wa + ws;
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    let p = x0, wq = wa, wr = wend;
    do {
      const v = v128.load(p);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v, v128.load(wq, 0)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v, v128.load(wq, 16)));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v, v128.load(wq, 32)));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v, v128.load(wq, 48)));
      a4 = i32x4.add(a4, i32x4.dot_i16x8_s(v, v128.load(wr, 0)));
      a5 = i32x4.add(a5, i32x4.dot_i16x8_s(v, v128.load(wr, 16)));
      a6 = i32x4.add(a6, i32x4.dot_i16x8_s(v, v128.load(wr, 32)));
      a7 = i32x4.add(a7, i32x4.dot_i16x8_s(v, v128.load(wr, 48)));
      p += 16; wq += 64; wr += 64;
    } while (wq < wend);
    v128.store(yq, hsum4_i32(a0, a1, a2, a3));
    v128.store(yq, hsum4_i32(a4, a5, a6, a7), 16);
    yq += 32; wa = wr;
  } while (wa < wlast);
}
