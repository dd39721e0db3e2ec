// Synapse kernels of surrogate-gradient training (f32, SIMD). Cost falls with activity: the
// forward current and the weight gradients walk the spike lists of each sample (one
// contiguous row of a presynaptic-major matrix per event); only the backward product
// ∂L/∂s = g·W, whose g is dense, is a dense product.
//
// Layouts (bytes 16-aligned): weights wT [inN, nP] presynaptic-major (row i = the weights from
// input i to every neuron), the parameter layout; wR [n, kP] row-major [to, from] copy for the
// backward product (refreshed by the host after each optimizer step with tr_transpose_f32);
// activations [batch, stride] f32; event lists [batch, stride] i32 with counts [batch] i32.
// nP, kP, strides: multiples of 16 (the kernels need only 8 for the 32/16/8-wide tiles).

/** Compacts each row of x [batch, stride] (first n columns): idx row b ← indices of the nonzero
 *  entries of row b in increasing order; cnt[b] ← their number. n a multiple of 4. Returns the total. */
export function tr_compact_rows_f32(x: usize, n: i32, stride: i32, batch: i32, idx: usize, cnt: usize): i32 {
  let total = 0;
  const zero = f32x4.splat(0);
  for (let b = 0; b < batch; b++) {
    const row = x + (<usize>(b * stride) << 2);
    const out = idx + (<usize>(b * stride) << 2);
    let count = 0;
    for (let i = 0; i < n; i += 4) {
      const m0 = f32x4.ne(v128.load(row + (<usize>i << 2)), zero);
      if (!v128.any_true(m0)) continue;
      let m = i32x4.bitmask(m0);
      while (m != 0) {
        store<i32>(out + (<usize>count << 2), i + ctz(m));
        count++;
        m &= m - 1;
      }
    }
    store<i32>(cnt + (<usize>b << 2), count);
    total += count;
  }
  return total;
}

/**
 * cur[b, :] = bias + Σ_e x[b, i_e]·wT[i_e, :] + Σ_e wrT[k_e, :] for each sample b: the
 * feed-forward events of x (values multiplied unless xBinary) and the recurrent events of the
 * previous step's spikes (ridx/rcnt; wrT = 0 for none). bias = 0 means none. Tiles of 32
 * outputs keep 8 accumulators in registers across all events of a sample.
 */
export function tr_syn_fwd_f32(cur: usize, bias: usize, wT: usize, x: usize, idx: usize, cnt: usize, inStride: i32,
                               wrT: usize, ridx: usize, rcnt: usize, nP: i32, batch: i32, xBinary: i32): void {
  const rs = <usize>nP << 2;
  const zero = f32x4.splat(0);
  for (let b = 0; b < batch; b++) {
    const xr = x + (<usize>(b * inStride) << 2);
    const ir = idx + (<usize>(b * inStride) << 2);
    const n = load<i32>(cnt + (<usize>b << 2));
    const rr = ridx + (<usize>(b * nP) << 2);
    const rn = wrT != 0 ? load<i32>(rcnt + (<usize>b << 2)) : 0;
    const yr = cur + (<usize>(b * nP) << 2);
    let o = 0;
    for (; o + 32 <= nP; o += 32) {
      const ob = <usize>o << 2;
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
      if (bias != 0) {
        const q = bias + ob;
        a0 = v128.load(q); a1 = v128.load(q, 16); a2 = v128.load(q, 32); a3 = v128.load(q, 48);
        a4 = v128.load(q, 64); a5 = v128.load(q, 80); a6 = v128.load(q, 96); a7 = v128.load(q, 112);
      }
      if (xBinary != 0) {
        for (let e = 0; e < n; e++) {
          const r = wT + <usize>load<i32>(ir + (<usize>e << 2)) * rs + ob;
          a0 = f32x4.add(a0, v128.load(r)); a1 = f32x4.add(a1, v128.load(r, 16));
          a2 = f32x4.add(a2, v128.load(r, 32)); a3 = f32x4.add(a3, v128.load(r, 48));
          a4 = f32x4.add(a4, v128.load(r, 64)); a5 = f32x4.add(a5, v128.load(r, 80));
          a6 = f32x4.add(a6, v128.load(r, 96)); a7 = f32x4.add(a7, v128.load(r, 112));
        }
      } else {
        for (let e = 0; e < n; e++) {
          const i = <usize>load<i32>(ir + (<usize>e << 2));
          const r = wT + i * rs + ob;
          const s = v128.load32_splat(xr + (i << 2));
          a0 = f32x4.add(a0, f32x4.mul(v128.load(r), s)); a1 = f32x4.add(a1, f32x4.mul(v128.load(r, 16), s));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(r, 32), s)); a3 = f32x4.add(a3, f32x4.mul(v128.load(r, 48), s));
          a4 = f32x4.add(a4, f32x4.mul(v128.load(r, 64), s)); a5 = f32x4.add(a5, f32x4.mul(v128.load(r, 80), s));
          a6 = f32x4.add(a6, f32x4.mul(v128.load(r, 96), s)); a7 = f32x4.add(a7, f32x4.mul(v128.load(r, 112), s));
        }
      }
      for (let e = 0; e < rn; e++) {
        const r = wrT + <usize>load<i32>(rr + (<usize>e << 2)) * rs + ob;
        a0 = f32x4.add(a0, v128.load(r)); a1 = f32x4.add(a1, v128.load(r, 16));
        a2 = f32x4.add(a2, v128.load(r, 32)); a3 = f32x4.add(a3, v128.load(r, 48));
        a4 = f32x4.add(a4, v128.load(r, 64)); a5 = f32x4.add(a5, v128.load(r, 80));
        a6 = f32x4.add(a6, v128.load(r, 96)); a7 = f32x4.add(a7, v128.load(r, 112));
      }
      const y = yr + ob;
      v128.store(y, a0); v128.store(y, a1, 16); v128.store(y, a2, 32); v128.store(y, a3, 48);
      v128.store(y, a4, 64); v128.store(y, a5, 80); v128.store(y, a6, 96); v128.store(y, a7, 112);
    }
    for (; o < nP; o += 8) {
      const ob = <usize>o << 2;
      let a0 = zero, a1 = zero;
      if (bias != 0) { a0 = v128.load(bias + ob); a1 = v128.load(bias + ob, 16); }
      for (let e = 0; e < n; e++) {
        const i = <usize>load<i32>(ir + (<usize>e << 2));
        const r = wT + i * rs + ob;
        const s = xBinary != 0 ? f32x4.splat(1) : v128.load32_splat(xr + (i << 2));
        a0 = f32x4.add(a0, f32x4.mul(v128.load(r), s)); a1 = f32x4.add(a1, f32x4.mul(v128.load(r, 16), s));
      }
      for (let e = 0; e < rn; e++) {
        const r = wrT + <usize>load<i32>(rr + (<usize>e << 2)) * rs + ob;
        a0 = f32x4.add(a0, v128.load(r)); a1 = f32x4.add(a1, v128.load(r, 16));
      }
      v128.store(yr + ob, a0); v128.store(yr + ob, a1, 16);
    }
  }
}

/** Scalar twin of tr_syn_fwd_f32 (same summation order per output: bias, inputs, recurrent). */
export function tr_syn_fwd_f32_ref(cur: usize, bias: usize, wT: usize, x: usize, idx: usize, cnt: usize, inStride: i32,
                                   wrT: usize, ridx: usize, rcnt: usize, nP: i32, batch: i32, xBinary: i32): void {
  for (let b = 0; b < batch; b++) {
    const n = load<i32>(cnt + (<usize>b << 2));
    const rn = wrT != 0 ? load<i32>(rcnt + (<usize>b << 2)) : 0;
    for (let o = 0; o < nP; o++) {
      let a: f32 = bias != 0 ? load<f32>(bias + (<usize>o << 2)) : 0;
      for (let e = 0; e < n; e++) {
        const i = load<i32>(idx + (<usize>(b * inStride + e) << 2));
        const w = load<f32>(wT + (<usize>(i * nP + o) << 2));
        a += xBinary != 0 ? w : w * load<f32>(x + (<usize>(b * inStride + i) << 2));
      }
      for (let e = 0; e < rn; e++) {
        const i = load<i32>(ridx + (<usize>(b * nP + e) << 2));
        a += load<f32>(wrT + (<usize>(i * nP + o) << 2));
      }
      store<f32>(cur + (<usize>(b * nP + o) << 2), a);
    }
  }
}

/**
 * The backward product into a layer's spikes: gs[b, :] = Σ_j g1[b, j]·w1[j, :] + Σ_j g2[b, j]·w2[j, :]
 * (overwritten; w2 = 0 for none). g1 [batch, g1Stride] with n1 used columns, w1 [n1, kP]
 * row-major; likewise g2, w2. Block: 4 samples × 8 outputs (8 accumulators, 2 weight vectors
 * and 4 broadcasts: 14 of V8's 16 xmm registers), weights loaded once per 4 samples.
 */
export function tr_back_f32(gs: usize, g1: usize, w1: usize, n1: i32, g1Stride: i32,
                            g2: usize, w2: usize, n2: i32, g2Stride: i32, kP: i32, batch: i32): void {
  const ks = <usize>kP << 2, s1 = <usize>g1Stride << 2, s2 = <usize>g2Stride << 2;
  const zero = f32x4.splat(0);
  let b = 0;
  for (; b + 4 <= batch; b += 4) {
    const q1 = g1 + <usize>b * s1, q2 = g2 + <usize>b * s2;
    for (let o = 0; o < kP; o += 8) {
      const ob = <usize>o << 2;
      let a0 = zero, a1 = zero, b0 = zero, b1 = zero, c0 = zero, c1 = zero, d0 = zero, d1 = zero;
      let wp = w1 + ob, gp = q1;
      for (let j = 0; j < n1; j++) {
        const w0 = v128.load(wp), wv1 = v128.load(wp, 16);
        let s = v128.load32_splat(gp);
        a0 = f32x4.add(a0, f32x4.mul(w0, s)); a1 = f32x4.add(a1, f32x4.mul(wv1, s));
        s = v128.load32_splat(gp + s1);
        b0 = f32x4.add(b0, f32x4.mul(w0, s)); b1 = f32x4.add(b1, f32x4.mul(wv1, s));
        s = v128.load32_splat(gp + 2 * s1);
        c0 = f32x4.add(c0, f32x4.mul(w0, s)); c1 = f32x4.add(c1, f32x4.mul(wv1, s));
        s = v128.load32_splat(gp + 3 * s1);
        d0 = f32x4.add(d0, f32x4.mul(w0, s)); d1 = f32x4.add(d1, f32x4.mul(wv1, s));
        wp += ks; gp += 4;
      }
      if (w2 != 0) {
        wp = w2 + ob; gp = q2;
        for (let j = 0; j < n2; j++) {
          const w0 = v128.load(wp), wv1 = v128.load(wp, 16);
          let s = v128.load32_splat(gp);
          a0 = f32x4.add(a0, f32x4.mul(w0, s)); a1 = f32x4.add(a1, f32x4.mul(wv1, s));
          s = v128.load32_splat(gp + s2);
          b0 = f32x4.add(b0, f32x4.mul(w0, s)); b1 = f32x4.add(b1, f32x4.mul(wv1, s));
          s = v128.load32_splat(gp + 2 * s2);
          c0 = f32x4.add(c0, f32x4.mul(w0, s)); c1 = f32x4.add(c1, f32x4.mul(wv1, s));
          s = v128.load32_splat(gp + 3 * s2);
          d0 = f32x4.add(d0, f32x4.mul(w0, s)); d1 = f32x4.add(d1, f32x4.mul(wv1, s));
          wp += ks; gp += 4;
        }
      }
      const y = gs + <usize>b * ks + ob;
      v128.store(y, a0); v128.store(y, a1, 16);
      v128.store(y + ks, b0); v128.store(y + ks, b1, 16);
      v128.store(y + 2 * ks, c0); v128.store(y + 2 * ks, c1, 16);
      v128.store(y + 3 * ks, d0); v128.store(y + 3 * ks, d1, 16);
    }
  }
  for (; b < batch; b++) {
    const q1 = g1 + <usize>b * s1, q2 = g2 + <usize>b * s2;
    for (let o = 0; o < kP; o += 8) {
      const ob = <usize>o << 2;
      let a0 = zero, a1 = zero;
      for (let j = 0; j < n1; j++) {
        const wp = w1 + <usize>j * ks + ob;
        const s = v128.load32_splat(q1 + (<usize>j << 2));
        a0 = f32x4.add(a0, f32x4.mul(v128.load(wp), s)); a1 = f32x4.add(a1, f32x4.mul(v128.load(wp, 16), s));
      }
      if (w2 != 0) {
        for (let j = 0; j < n2; j++) {
          const wp = w2 + <usize>j * ks + ob;
          const s = v128.load32_splat(q2 + (<usize>j << 2));
          a0 = f32x4.add(a0, f32x4.mul(v128.load(wp), s)); a1 = f32x4.add(a1, f32x4.mul(v128.load(wp, 16), s));
        }
      }
      const y = gs + <usize>b * ks + ob;
      v128.store(y, a0); v128.store(y, a1, 16);
    }
  }
}

/** Scalar twin of tr_back_f32 (same summation order). */
export function tr_back_f32_ref(gs: usize, g1: usize, w1: usize, n1: i32, g1Stride: i32,
                                g2: usize, w2: usize, n2: i32, g2Stride: i32, kP: i32, batch: i32): void {
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < kP; o++) {
      let a: f32 = 0;
      for (let j = 0; j < n1; j++) a += load<f32>(w1 + (<usize>(j * kP + o) << 2)) * load<f32>(g1 + (<usize>(b * g1Stride + j) << 2));
      if (w2 != 0) {
        for (let j = 0; j < n2; j++) a += load<f32>(w2 + (<usize>(j * kP + o) << 2)) * load<f32>(g2 + (<usize>(b * g2Stride + j) << 2));
      }
      store<f32>(gs + (<usize>(b * kP + o) << 2), a);
    }
  }
}

/**
 * Weight gradient over events: for each sample b and each event i of its list,
 * gwT[i, :] += x[b, i]·g[b, :] (x ignored when xBinary). g [batch, nP]. Tiles of 32 outputs hold
 * g in 8 registers while the events of the sample stream their gradient rows.
 */
export function tr_wgrad_f32(gwT: usize, g: usize, x: usize, idx: usize, cnt: usize, inStride: i32,
                             nP: i32, batch: i32, xBinary: i32): void {
  const rs = <usize>nP << 2;
  for (let b = 0; b < batch; b++) {
    const n = load<i32>(cnt + (<usize>b << 2));
    if (n == 0) continue;
    const xr = x + (<usize>(b * inStride) << 2);
    const ir = idx + (<usize>(b * inStride) << 2);
    const gr = g + <usize>b * rs;
    let o = 0;
    for (; o + 32 <= nP; o += 32) {
      const ob = <usize>o << 2;
      const q = gr + ob;
      let g0 = v128.load(q), g1 = v128.load(q, 16), g2 = v128.load(q, 32), g3 = v128.load(q, 48);
      let g4 = v128.load(q, 64), g5 = v128.load(q, 80), g6 = v128.load(q, 96), g7 = v128.load(q, 112);
      if (xBinary != 0) {
        for (let e = 0; e < n; e++) {
          const r = gwT + <usize>load<i32>(ir + (<usize>e << 2)) * rs + ob;
          v128.store(r, f32x4.add(v128.load(r), g0)); v128.store(r, f32x4.add(v128.load(r, 16), g1), 16);
          v128.store(r, f32x4.add(v128.load(r, 32), g2), 32); v128.store(r, f32x4.add(v128.load(r, 48), g3), 48);
          v128.store(r, f32x4.add(v128.load(r, 64), g4), 64); v128.store(r, f32x4.add(v128.load(r, 80), g5), 80);
          v128.store(r, f32x4.add(v128.load(r, 96), g6), 96); v128.store(r, f32x4.add(v128.load(r, 112), g7), 112);
        }
      } else {
        for (let e = 0; e < n; e++) {
          const i = <usize>load<i32>(ir + (<usize>e << 2));
          const r = gwT + i * rs + ob;
          const s = v128.load32_splat(xr + (i << 2));
          v128.store(r, f32x4.add(v128.load(r), f32x4.mul(g0, s)));
          v128.store(r, f32x4.add(v128.load(r, 16), f32x4.mul(g1, s)), 16);
          v128.store(r, f32x4.add(v128.load(r, 32), f32x4.mul(g2, s)), 32);
          v128.store(r, f32x4.add(v128.load(r, 48), f32x4.mul(g3, s)), 48);
          v128.store(r, f32x4.add(v128.load(r, 64), f32x4.mul(g4, s)), 64);
          v128.store(r, f32x4.add(v128.load(r, 80), f32x4.mul(g5, s)), 80);
          v128.store(r, f32x4.add(v128.load(r, 96), f32x4.mul(g6, s)), 96);
          v128.store(r, f32x4.add(v128.load(r, 112), f32x4.mul(g7, s)), 112);
        }
      }
    }
    for (; o < nP; o += 8) {
      const ob = <usize>o << 2;
      const g0 = v128.load(gr + ob), g1 = v128.load(gr + ob, 16);
      for (let e = 0; e < n; e++) {
        const i = <usize>load<i32>(ir + (<usize>e << 2));
        const r = gwT + i * rs + ob;
        const s = xBinary != 0 ? f32x4.splat(1) : v128.load32_splat(xr + (i << 2));
        v128.store(r, f32x4.add(v128.load(r), f32x4.mul(g0, s)));
        v128.store(r, f32x4.add(v128.load(r, 16), f32x4.mul(g1, s)), 16);
      }
    }
  }
}

// Input rows are sparse (a few percent): scan 64 inputs per step into one 64-bit mask and loop
// over its set bits (one mispredicted loop exit per 64 inputs, then a few cycles per event);
// the branchless tr_pack4 of the spike rows would spend ~12 instructions on every 4 inputs.

/**
 * Input event lists of one sample b from its binary input src [T, n] u8 (nonzero = spike; rows
 * not padded; bytes up to 63 past the end may be read): row t lands at idx + (t·batch + b)·stride·4
 * (the time-major lists the forward and the weight gradients walk), its length in
 * cnt[t·batch + b]. Returns the number of events.
 */
export function tr_events_u8(src: usize, n: i32, T: i32, b: i32, batch: i32, idx: usize, cnt: usize, stride: i32): i32 {
  const zero = i8x16.splat(0);
  let total = 0;
  for (let t = 0; t < T; t++) {
    const row = t * batch + b;
    const x = src + <usize>t * <usize>n;
    const out = idx + (<usize>(row * stride) << 2);
    let count = 0;
    for (let i = 0; i < n; i += 64) {
      const q = x + <usize>i;
      let m = <u64>i8x16.bitmask(i8x16.ne(v128.load(q), zero)) | (<u64>i8x16.bitmask(i8x16.ne(v128.load(q, 16), zero)) << 16) |
              (<u64>i8x16.bitmask(i8x16.ne(v128.load(q, 32), zero)) << 32) | (<u64>i8x16.bitmask(i8x16.ne(v128.load(q, 48), zero)) << 48);
      if (i + 64 > n) m &= (<u64>1 << <u64>(n - i)) - 1;
      while (m != 0) {
        store<i32>(out + (<usize>count << 2), i + <i32>ctz(m));
        count++;
        m &= m - 1;
      }
    }
    store<i32>(cnt + (<usize>row << 2), count);
    total += count;
  }
  return total;
}

/** 16 f32 at q → 16-bit mask of the nonzero ones (four 0/−1 lane masks narrowed to bytes). */
// @ts-ignore: decorator
@inline function nonzero16_f32(q: usize, zero: v128): u64 {
  const lo = i16x8.narrow_i32x4_s(f32x4.ne(v128.load(q), zero), f32x4.ne(v128.load(q, 16), zero));
  const hi = i16x8.narrow_i32x4_s(f32x4.ne(v128.load(q, 32), zero), f32x4.ne(v128.load(q, 48), zero));
  return <u64>i8x16.bitmask(i8x16.narrow_i16x8_s(lo, hi));
}

/** tr_events_u8 for f32 input (src [T, n] f32, nonzero = event, as tr_compact_rows_f32 tests it;
 *  up to 63 floats past the end may be read). */
export function tr_events_f32(src: usize, n: i32, T: i32, b: i32, batch: i32, idx: usize, cnt: usize, stride: i32): i32 {
  const zero = f32x4.splat(0);
  let total = 0;
  for (let t = 0; t < T; t++) {
    const row = t * batch + b;
    const x = src + (<usize>t * <usize>n << 2);
    const out = idx + (<usize>(row * stride) << 2);
    let count = 0;
    for (let i = 0; i < n; i += 64) {
      const q = x + (<usize>i << 2);
      let m = nonzero16_f32(q, zero) | (nonzero16_f32(q + 64, zero) << 16) | (nonzero16_f32(q + 128, zero) << 32) |
              (nonzero16_f32(q + 192, zero) << 48);
      if (i + 64 > n) m &= (<u64>1 << <u64>(n - i)) - 1;
      while (m != 0) {
        store<i32>(out + (<usize>count << 2), i + <i32>ctz(m));
        count++;
        m &= m - 1;
      }
    }
    store<i32>(cnt + (<usize>row << 2), count);
    total += count;
  }
  return total;
}
