// Requantization: int32 accumulators of the dense kernels → int16 input current of a cell,
// in that cell's membrane units (src/quant/ derives M and S; see docs/numerics.md):
//   cur[b,o] = clamp16( rq(acc1[b,o], M1[o], S1) + rq(acc2[b,o], M2[o], S2) + bias[o] )
//   rq(a, M, S) = (a·M + 2^(S−1)) >> S      in int64, arithmetic shift (round half up)
// acc2 = 0 means no second (recurrent) input. M is per output channel (int32), S per layer
// (1..62), so one SIMD shift serves a whole vector.
// Layout: acc [batch, n] int32, M [n] int32, bias [n] int32, cur [batch, n] int16;
// n a multiple of 8; nothing read past n.

// @ts-ignore: decorator
@inline function rq(a: i64, m: i64, s: i32): i64 {
  return (a * m + (<i64>1 << (s - 1))) >> s;
}

export function requant_i16_ref(acc1: usize, m1: usize, s1: i32, acc2: usize, m2: usize, s2: i32,
                                bias: usize, cur: usize, n: i32, batch: i32): void {
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < n; o++) {
      const k = <usize>(b * n + o) << 2;
      const p = <usize>o << 2;
      let x = rq(<i64>load<i32>(acc1 + k), <i64>load<i32>(m1 + p), s1) + <i64>load<i32>(bias + p);
      if (acc2 != 0) x += rq(<i64>load<i32>(acc2 + k), <i64>load<i32>(m2 + p), s2);
      const c = x > 32767 ? 32767 : x < -32768 ? -32768 : x;
      store<i16>(cur + (<usize>(b * n + o) << 1), <i16>c);
    }
  }
}

// Four int32 lanes: rq(acc, M, S) as two int64x2 halves.
// @ts-ignore: decorator
@inline function rqLow(a: v128, m: v128, round: v128, s: i32): v128 {
  return i64x2.shr_s(i64x2.add(i64x2.extmul_low_i32x4_s(a, m), round), s);
}
// @ts-ignore: decorator
@inline function rqHigh(a: v128, m: v128, round: v128, s: i32): v128 {
  return i64x2.shr_s(i64x2.add(i64x2.extmul_high_i32x4_s(a, m), round), s);
}
// @ts-ignore: decorator
@inline function clamp64(x: v128, lo: v128, hi: v128): v128 {
  const y = v128.bitselect(hi, x, i64x2.gt_s(x, hi));
  return v128.bitselect(lo, y, i64x2.gt_s(lo, y));
}
// Low 32-bit words of two int64x2 vectors (already within int16 range) → one int32x4.
// @ts-ignore: decorator
@inline function pack64(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
}

export function requant_i16_simd(acc1: usize, m1: usize, s1: i32, acc2: usize, m2: usize, s2: i32,
                                 bias: usize, cur: usize, n: i32, batch: i32): void {
  const r1 = i64x2.splat(<i64>1 << (s1 - 1));
  const r2 = i64x2.splat(<i64>1 << ((acc2 != 0 ? s2 : 1) - 1));
  const lo = i64x2.splat(-32768), hi = i64x2.splat(32767);
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * n);
    for (let o = 0; o < n; o += 8) {
      const p = <usize>o << 2;
      const k = (row + <usize>o) << 2;
      const ma = v128.load(m1 + p), mb = v128.load(m1 + p, 16);
      const aa = v128.load(acc1 + k), ab = v128.load(acc1 + k, 16);
      const ba = v128.load(bias + p), bb = v128.load(bias + p, 16);
      let x0 = i64x2.add(rqLow(aa, ma, r1, s1), i64x2.extend_low_i32x4_s(ba));
      let x1 = i64x2.add(rqHigh(aa, ma, r1, s1), i64x2.extend_high_i32x4_s(ba));
      let x2 = i64x2.add(rqLow(ab, mb, r1, s1), i64x2.extend_low_i32x4_s(bb));
      let x3 = i64x2.add(rqHigh(ab, mb, r1, s1), i64x2.extend_high_i32x4_s(bb));
      if (acc2 != 0) {
        const na = v128.load(m2 + p), nb = v128.load(m2 + p, 16);
        const ca = v128.load(acc2 + k), cb = v128.load(acc2 + k, 16);
        x0 = i64x2.add(x0, rqLow(ca, na, r2, s2));
        x1 = i64x2.add(x1, rqHigh(ca, na, r2, s2));
        x2 = i64x2.add(x2, rqLow(cb, nb, r2, s2));
        x3 = i64x2.add(x3, rqHigh(cb, nb, r2, s2));
      }
      const w0 = pack64(clamp64(x0, lo, hi), clamp64(x1, lo, hi));
      const w1 = pack64(clamp64(x2, lo, hi), clamp64(x3, lo, hi));
      v128.store(cur + ((row + <usize>o) << 1), i16x8.narrow_i32x4_s(w0, w1));
    }
  }
}

// Float current: cur = acc1 (+ acc2) + bias. [batch, n] f32, bias [n]; n a multiple of 4.
export function current_f32_simd(acc1: usize, acc2: usize, bias: usize, cur: usize, n: i32, batch: i32): void {
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * n) << 2;
    for (let o = 0; o < n; o += 4) {
      const p = <usize>o << 2;
      let x = v128.load(acc1 + row + p);
      if (acc2 != 0) x = f32x4.add(x, v128.load(acc2 + row + p));
      v128.store(cur + row + p, f32x4.add(x, v128.load(bias + p)));
    }
  }
}

// @ts-ignore: decorator
@inline function rq32(a: v128, m: v128, round: v128, s: i32): v128 {
  return pack64(rqLow(a, m, round, s), rqHigh(a, m, round, s));
}

/**
 * requant_i16_simd for layers where the host has proved (src/quant/quantize.ts, `fastRequant`)
 * that every rq(acc, M, S) and their sum with the bias fit in int32: the int64 products are
 * still exact, but the sum and the int16 clamp are done in int32 (the clamp by the saturating
 * narrow), which skips the int64 compares. Equal to requant_i16_ref under that precondition.
 */
export function requant_i16_fast_simd(acc1: usize, m1: usize, s1: i32, acc2: usize, m2: usize, s2: i32,
                                      bias: usize, cur: usize, n: i32, batch: i32): void {
  const r1 = i64x2.splat(<i64>1 << (s1 - 1));
  const r2 = i64x2.splat(<i64>1 << ((acc2 != 0 ? s2 : 1) - 1));
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * n);
    for (let o = 0; o < n; o += 8) {
      const p = <usize>o << 2;
      const k = (row + <usize>o) << 2;
      let w0 = i32x4.add(rq32(v128.load(acc1 + k), v128.load(m1 + p), r1, s1), v128.load(bias + p));
      let w1 = i32x4.add(rq32(v128.load(acc1 + k, 16), v128.load(m1 + p, 16), r1, s1), v128.load(bias + p, 16));
      if (acc2 != 0) {
        w0 = i32x4.add(w0, rq32(v128.load(acc2 + k), v128.load(m2 + p), r2, s2));
        w1 = i32x4.add(w1, rq32(v128.load(acc2 + k, 16), v128.load(m2 + p, 16), r2, s2));
      }
      v128.store(cur + ((row + <usize>o) << 1), i16x8.narrow_i32x4_s(w0, w1));
    }
  }
}
