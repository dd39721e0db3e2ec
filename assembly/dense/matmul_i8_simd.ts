// matmul_i8_simd: y[b, o] = Σ_i W[o, i]·x[b, i], int8 weights × int8 activations → int32,
// outputs overwritten. Exact and equal to `matmul_i8_ref` bit for bit (int32 wrapping adds are
// associative; no wrap while 128·128·inP < 2^31, i.e. inP ≤ 131071).
//
// Layout: w is `pack_i8` output (p4c8 widened: panels of 4 output rows, chunks of 8 inputs,
// int16; see pack.ts). x row-major int8 [batch, inP], y row-major int32 [batch, outP].
// Host guarantees: pointers 16-byte aligned, outP % 16 == 0, inP % 16 == 0 (the kernel needs
// only outP % 8 and inP % 8, both > 0), batch ≥ 1. Reads exactly 2·outP·inP weight bytes and
// batch·inP activation bytes; nothing past the end of any buffer is read or written.
//
// Blocking: panels of 4 outputs outer, pairs of batch rows inner (the 4·inP·2-byte weight
// panel stays in L1 while the activation rows stream from L1/L2). Register block 2 rows × 4
// outputs: 8 i32x4 accumulators + 2 activation vectors (widened inside `v128.load8x8_s`) +
// 4 weight vectors (TurboFan hoists all four loads) + 1 product temporary = 15 of the 16 xmm
// registers V8 uses (checked with node --print-wasm-code); each accumulator holds 4 partial
// sums of one output and is reduced by `hsum4_i32` once per block. Odd rows (and batch 1) take a
// 1 × 8 path over two panels (8 accumulators; each activation load serves 8 dots).
// Measured (AMD EPYC Zen 4 KVM, Node 20.20, median; see bench/kernel-probe-dense.mjs):
//   hot weights, GMAC/s at batch 1 / batch 64 (two runs, 2×4 block with pointer loops):
//     128×704: 23–29 / 40.0     256×256: 31–32 / 40.4–40.6
//     512×512: 32 / 39.8–41.5   1024×1024: 29–30 / 40.0–40.6
//   Same process, first version with counting loops (x + b·xs + k): 512×512 b64 38–39.
//   Cold weights (rotated through 64 MB, DRAM-bound): batch 1 512×512 ≈ 5–6, 1024² ≈ 7;
//   the int16 packing costs 2 bytes per MAC there.
// What limits it: per 64 MACs the block issues 8 vpmaddwd + 8 vpaddd + 2 vpmovsxbw; Zen runs
// vpmaddwd on 2 pipes and the rest shares 4, so ≈ 4.5–5 cycles per 64 MACs (≈ 45 GMAC/s at
// 3.5 GHz). Tried: int8-packed weights widened with load8x8_s (27–29 GMAC/s, widening competes
// for the vector pipes); weights held and activations streamed (same, ≈ 40); 3 × 4 (12
// accumulators, spills: ≈ 30); inner loop unrolled ×2 (0.6–0.8×: TurboFan hoists the second
// half's loads too and spills); rows outer / panels inner (weights from L2: same ±5 %).
// V8 adds a stack check (cmp + branch) to every loop iteration; pointer induction keeps the
// rest of the loop overhead to 3 adds + compare + branch.
import { hsum4_i32 } from './hsum';

/** int8 W (packed by `pack_i8`) × int8 x[batch, inP] → int32 y[batch, outP]. */
export function matmul_i8_simd(w: usize, x: usize, y: usize, batch: i32, outP: i32, inP: i32): void {
  const xs = <usize>inP, ys = <usize>outP << 2, ws = <usize>inP << 3; // activation row / output row / weight panel strides (bytes)
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
          const v0 = v128.load8x8_s(p0), v1 = v128.load8x8_s(p1);
          let t = v128.load(wq, 0);
          a00 = i32x4.add(a00, i32x4.dot_i16x8_s(v0, t)); a10 = i32x4.add(a10, i32x4.dot_i16x8_s(v1, t));
          t = v128.load(wq, 16);
          a01 = i32x4.add(a01, i32x4.dot_i16x8_s(v0, t)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(v1, t));
          t = v128.load(wq, 32);
          a02 = i32x4.add(a02, i32x4.dot_i16x8_s(v0, t)); a12 = i32x4.add(a12, i32x4.dot_i16x8_s(v1, t));
          t = v128.load(wq, 48);
          a03 = i32x4.add(a03, i32x4.dot_i16x8_s(v0, t)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(v1, t));
          p0 += 8; p1 += 8; wq += 64;
        } while (wq < wend);
        v128.store(yq, hsum4_i32(a00, a01, a02, a03));
        v128.store(yq + ys, hsum4_i32(a10, a11, a12, a13));
        xb += xs << 1; yq += ys << 1;
      } while (xb < xend);
      wp = wend; yp += 16;
    } while (wp < wlast);
  }
  if (batch & 1) rowvec_i8(w, x + <usize>pairs * xs, y + <usize>pairs * ys, outP, inP);
}

// One activation row × all outputs (the mat-vec path, and the odd last row): 1 row × 8
// outputs, two panels read as two streams; 8 accumulators + 1 activation + 1 weight vector.
function rowvec_i8(w: usize, x0: usize, yq: usize, outP: i32, inP: i32): void {
  const ws = <usize>inP << 3;
  const wlast = w + (<usize>outP >> 2) * ws;
  let wa = w;
  do { // pairs of panels (outP % 8 == 0)
    const wend = wa + ws;
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    let p = x0, wq = wa, wr = wend;
    do {
      const v = v128.load8x8_s(p);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v, v128.load(wq, 0)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v, v128.load(wq, 16)));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v, v128.load(wq, 32)));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v, v128.load(wq, 48)));
      a4 = i32x4.add(a4, i32x4.dot_i16x8_s(v, v128.load(wr, 0)));
      a5 = i32x4.add(a5, i32x4.dot_i16x8_s(v, v128.load(wr, 16)));
      a6 = i32x4.add(a6, i32x4.dot_i16x8_s(v, v128.load(wr, 32)));
      a7 = i32x4.add(a7, i32x4.dot_i16x8_s(v, v128.load(wr, 48)));
      p += 8; wq += 64; wr += 64;
    } while (wq < wend);
    v128.store(yq, hsum4_i32(a0, a1, a2, a3));
    v128.store(yq, hsum4_i32(a4, a5, a6, a7), 16);
    yq += 32; wa = wr;
  } while (wa < wlast);
}
