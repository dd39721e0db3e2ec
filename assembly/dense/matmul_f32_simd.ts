// matmul_f32_simd: y[b, o] = Σ_i W[o, i]·x[b, i] in f32, outputs overwritten. No FMA (relaxed
// SIMD is off): f32x4.mul then f32x4.add, each rounded. Summation order differs from
// `matmul_f32_ref` (4 lane-strided partial sums, then a tree), so results agree within rounding:
// |y_simd − y_ref| ≤ 2·inP·2^-24·Σ_i|W[o,i]·x[b,i]| worst case; the tests check ≤ 1e-5·Σ|w·x|.
//
// Layout: w is `pack_f32` output (p4c4: panels of 4 output rows, chunks of 4 inputs, see
// pack.ts). x row-major f32 [batch, inP], y row-major f32 [batch, outP].
// Host guarantees: pointers 16-byte aligned, outP % 16 == 0, inP % 16 == 0 (the kernel needs
// only outP % 4 and inP % 8, both > 0), batch ≥ 1. Reads exactly 4·outP·inP weight bytes and
// 4·batch·inP activation bytes; nothing past the end of any buffer is read or written.
//
// Blocking: panels of 4 outputs outer, pairs of rows inner. Register block 2 rows × 4 outputs:
// 8 f32x4 accumulators (enough independent chains to cover the 3-cycle vaddps latency at
// 2 adds/cycle) + 2 activations + 4 weights (hoisted by TurboFan) + 1 product temporary =
// 15 of V8's 16 xmm.
// The mat-vec path (odd last row, batch 1) is 1 row × 4 outputs unrolled ×2 over the inputs,
// again 8 accumulators.
// Measured (AMD EPYC Zen 4 KVM, Node 20.20, median; see bench/kernel-probe-dense.mjs):
//   hot weights, GMAC/s at batch 1 / batch 64:
//     128×704: 14.7 / 22.2   256×256: 14.1–14.6 / 21.0–22.2   512×512: 13.6–14.1 / 21.8–22.2
//     1024×1024: 12.8–14.3 / 20.5–21.5 (weights 4 MB: L3). Cold weights, batch 1: ≈ 7.5.
// Tried: broadcast layout (W as [k][8 outputs], activation `load32_splat`, 4 × 8 block, no
// horizontal sums, as XNNPACK's f32-gemm-4x8-splat): 18–19.5 GMAC/s at batch 64 and
// ≈ 10.5 at batch 1, against 20–21.5 / 14 for this layout.
import { hsum4_f32 } from './hsum';

/** f32 W (packed by `pack_f32`) × f32 x[batch, inP] → f32 y[batch, outP]. */
export function matmul_f32_simd(w: usize, x: usize, y: usize, batch: i32, outP: i32, inP: i32): void {
  const xs = <usize>inP << 2, ys = <usize>outP << 2, ws = <usize>inP << 4; // activation row / output row / weight panel strides (bytes)
  const pairs = batch & ~1;
  const wlast = w + (<usize>outP >> 2) * ws;
  if (pairs > 0) {
    // Pointer induction variables and do-while loops keep V8's inner loop to 3 adds, a compare
    // and its stack check (see matmul_i8_simd).
    const xend = x + <usize>pairs * xs;
    let wp = w, yp = y;
    do { // panels of 4 outputs
      const wend = wp + ws;
      let xb = x, yq = yp;
      do { // pairs of rows
        let a00 = f32x4.splat(0), a01 = a00, a02 = a00, a03 = a00;
        let a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        let p0 = xb, p1 = xb + xs, wq = wp;
        do { // 4 inputs: 2 activation vectors × 4 weight vectors
          const v0 = v128.load(p0), v1 = v128.load(p1);
          let t = v128.load(wq, 0);
          a00 = f32x4.add(a00, f32x4.mul(v0, t)); a10 = f32x4.add(a10, f32x4.mul(v1, t));
          t = v128.load(wq, 16);
          a01 = f32x4.add(a01, f32x4.mul(v0, t)); a11 = f32x4.add(a11, f32x4.mul(v1, t));
          t = v128.load(wq, 32);
          a02 = f32x4.add(a02, f32x4.mul(v0, t)); a12 = f32x4.add(a12, f32x4.mul(v1, t));
          t = v128.load(wq, 48);
          a03 = f32x4.add(a03, f32x4.mul(v0, t)); a13 = f32x4.add(a13, f32x4.mul(v1, t));
          p0 += 16; p1 += 16; wq += 64;
        } while (wq < wend);
        v128.store(yq, hsum4_f32(a00, a01, a02, a03));
        v128.store(yq + ys, hsum4_f32(a10, a11, a12, a13));
        xb += xs << 1; yq += ys << 1;
      } while (xb < xend);
      wp = wend; yp += 16;
    } while (wp < wlast);
  }
  if (batch & 1) rowvec_f32(w, x + <usize>pairs * xs, y + <usize>pairs * ys, outP, inP);
}

// One activation row × all outputs (the mat-vec path, and the odd last row): 1 row × 4
// outputs, inputs unrolled ×2 (chunks k and k+1 go to separate accumulators a* and c*) so 8
// independent vaddps chains hide the add latency; needs inP % 8 == 0.
function rowvec_f32(w: usize, x0: usize, yq: usize, outP: i32, inP: i32): void {
  const ws = <usize>inP << 4;
  const wlast = w + (<usize>outP >> 2) * ws;
  let wq = w;
  do { // panels of 4 outputs
    const wend = wq + ws;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
    let p = x0;
    do {
      const v = v128.load(p), u = v128.load(p, 16);
      a0 = f32x4.add(a0, f32x4.mul(v, v128.load(wq, 0)));
      a1 = f32x4.add(a1, f32x4.mul(v, v128.load(wq, 16)));
      a2 = f32x4.add(a2, f32x4.mul(v, v128.load(wq, 32)));
      a3 = f32x4.add(a3, f32x4.mul(v, v128.load(wq, 48)));
      c0 = f32x4.add(c0, f32x4.mul(u, v128.load(wq, 64)));
      c1 = f32x4.add(c1, f32x4.mul(u, v128.load(wq, 80)));
      c2 = f32x4.add(c2, f32x4.mul(u, v128.load(wq, 96)));
      c3 = f32x4.add(c3, f32x4.mul(u, v128.load(wq, 112)));
      p += 32; wq += 128;
    } while (wq < wend);
    v128.store(yq, hsum4_f32(f32x4.add(a0, c0), f32x4.add(a1, c1), f32x4.add(a2, c2), f32x4.add(a3, c3)));
    yq += 16;
  } while (wq < wlast);
}
