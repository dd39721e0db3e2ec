// matmul_f32_simd: y[b, o] = Σ_i W[o, i]·x[b, i] in f32, outputs overwritten. No FMA (relaxed
// SIMD is off): f32x4.mul then f32x4.add, each rounded. Summation order differs from
// `matmul_f32_ref` (4 lane-strided partial sums, then a tree), so results agree within rounding:
// |y_simd − y_ref| ≤ 2·inP·2^-24·Σ_i|W[o,i]·x[b,i]| worst case; the tests check ≤ 1e-5·Σ|w·x|.
//
// Layout: w is `pack_f32` output (p4c4: panels of 4 output rows, chunks of 4 inputs, see
// pack.ts). x row-major f32 [batch, inP], y row-major f32 [batch, outP].
// Host guarantees: pointers 16-byte aligned, outP % 16 == 0, inP % 16 == 0 (the kernel needs
// only outP % 4 and inP % 8), batch ≥ 1. Reads exactly 4·outP·inP weight bytes and
// 4·batch·inP activation bytes; nothing past the end of any buffer is read or written.
//
// Blocking: panels of 4 outputs outer, pairs of rows inner. Register block 2 rows × 4 outputs:
// 8 f32x4 accumulators (enough independent chains to cover the 3-cycle vaddps latency at
// 2 adds/cycle) + 2 activations + 1 streamed weight + 1 product temporary = 12 xmm.
// The mat-vec path (odd last row, batch 1) is 1 row × 4 outputs unrolled ×2 over the inputs,
// again 8 accumulators.
// Measured (AMD EPYC Zen 4 KVM, Node 20.20, median; see bench/kernel-probe-dense.mjs):
//   RESULTS_F32
// Tried: broadcast layout (W as [k][8 outputs], activation `load32_splat`, 4 × 8 block, no
// horizontal sums, as XNNPACK's f32-gemm-4x8-splat): 18–19.5 GMAC/s at batch 64 and
// ≈ 10.5 at batch 1, against 20–21.5 / 14 for this layout.
import { hsum4_f32 } from './hsum';

/** f32 W (packed by `pack_f32`) × f32 x[batch, inP] → f32 y[batch, outP]. */
export function matmul_f32_simd(w: usize, x: usize, y: usize, batch: i32, outP: i32, inP: i32): void {
  const xs = <usize>inP << 2, ys = <usize>outP << 2, ws = <usize>inP << 4; // row / output-row / panel strides (bytes)
  const pairs = batch & ~1;
  if (pairs > 0) {
    for (let o: usize = 0; o < <usize>outP; o += 4) {
      const wp = w + (o >> 2) * ws;
      const yp = y + (o << 2);
      for (let b = 0; b < pairs; b += 2) {
        const x0 = x + <usize>b * xs, x1 = x0 + xs;
        let a00 = f32x4.splat(0), a01 = a00, a02 = a00, a03 = a00;
        let a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        let wq = wp;
        for (let k: usize = 0; k < xs; k += 16) {
          const v0 = v128.load(x0 + k), v1 = v128.load(x1 + k);
          let t = v128.load(wq, 0);
          a00 = f32x4.add(a00, f32x4.mul(v0, t)); a10 = f32x4.add(a10, f32x4.mul(v1, t));
          t = v128.load(wq, 16);
          a01 = f32x4.add(a01, f32x4.mul(v0, t)); a11 = f32x4.add(a11, f32x4.mul(v1, t));
          t = v128.load(wq, 32);
          a02 = f32x4.add(a02, f32x4.mul(v0, t)); a12 = f32x4.add(a12, f32x4.mul(v1, t));
          t = v128.load(wq, 48);
          a03 = f32x4.add(a03, f32x4.mul(v0, t)); a13 = f32x4.add(a13, f32x4.mul(v1, t));
          wq += 64;
        }
        const yq = yp + <usize>b * ys;
        v128.store(yq, hsum4_f32(a00, a01, a02, a03));
        v128.store(yq + ys, hsum4_f32(a10, a11, a12, a13));
      }
    }
  }
  if (batch & 1) rowvec_f32(w, x + <usize>pairs * xs, y + <usize>pairs * ys, outP, inP);
}

// One activation row × all outputs: 1 row × 4 outputs, inputs unrolled ×2 (chunks k and k+1
// go to separate accumulators a* and c*), 8 accumulators; needs inP % 8 == 0.
function rowvec_f32(w: usize, x0: usize, yq: usize, outP: i32, inP: i32): void {
  const xs = <usize>inP << 2, ws = <usize>inP << 4;
  for (let o: usize = 0; o < <usize>outP; o += 4) {
    let wq = w + (o >> 2) * ws;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
    for (let k: usize = 0; k < xs; k += 32) {
      const v = v128.load(x0 + k), u = v128.load(x0 + k, 16);
      a0 = f32x4.add(a0, f32x4.mul(v, v128.load(wq, 0)));
      a1 = f32x4.add(a1, f32x4.mul(v, v128.load(wq, 16)));
      a2 = f32x4.add(a2, f32x4.mul(v, v128.load(wq, 32)));
      a3 = f32x4.add(a3, f32x4.mul(v, v128.load(wq, 48)));
      c0 = f32x4.add(c0, f32x4.mul(u, v128.load(wq, 64)));
      c1 = f32x4.add(c1, f32x4.mul(u, v128.load(wq, 80)));
      c2 = f32x4.add(c2, f32x4.mul(u, v128.load(wq, 96)));
      c3 = f32x4.add(c3, f32x4.mul(u, v128.load(wq, 112)));
      wq += 128;
    }
    v128.store(yq + (o << 2),
      hsum4_f32(f32x4.add(a0, c0), f32x4.add(a1, c1), f32x4.add(a2, c2), f32x4.add(a3, c3)));
  }
}
