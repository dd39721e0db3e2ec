// Event-driven synaptic accumulation, int8 weights → int32 currents:
//   y[o] = Σ_{e < count} wT[idx[e], o] · x[idx[e]]        for o < outP   (y overwritten)
// which equals the dense matmul y = W·x exactly (the skipped inputs are the zero ones), so an
// integer plan gives bit-identical results whichever path a step takes.
//
// Weights are stored presynaptic-major (DESIGN.md): wT [inP, outP] int8, the row of input i is
// the contiguous outP weights it projects to, so one event costs one contiguous SIMD pass.
//
// Spike events (x = 1) accumulate in int16 register tiles of 64 outputs (8 × i16x8): |w| ≤ 127,
// so up to 258 events cannot overflow int16; events are taken in groups of 256 and each group's
// tile is widened into the int32 output. Per event and 16 synapses that is one load, two
// sign-extensions and two adds, with the accumulators never leaving registers.
// Valued events (int8 activations, e.g. a network's quantized analog input) multiply in int32.
//
// Layout: idx [count] int32 (from compact_u8_simd), x [inP] int8 activations (valued kernel
// only), y [outP] int32; outP a multiple of 16. Nothing is read past outP in any row.

const GROUP: i32 = 256;

// @ts-ignore: decorator
@inline function addTile(y: usize, a: v128, first: bool): void {
  const lo = i32x4.extend_low_i16x8_s(a), hi = i32x4.extend_high_i16x8_s(a);
  if (first) {
    v128.store(y, lo);
    v128.store(y, hi, 16);
  } else {
    v128.store(y, i32x4.add(v128.load(y), lo));
    v128.store(y, i32x4.add(v128.load(y, 16), hi), 16);
  }
}

/** Spike events: y = Σ_e wT[idx[e], :]. */
export function events_i8_spk_simd(wT: usize, idx: usize, count: i32, y: usize, outP: i32): void {
  const rs = <usize>outP;
  let o: i32 = 0;
  for (; o + 64 <= outP; o += 64) {
    const yo = y + (<usize>o << 2);
    let g = 0;
    do {
      const end = min(count, g + GROUP);
      let a0 = i16x8.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      for (let e = g; e < end; e++) {
        const r = wT + <usize>load<i32>(idx + (<usize>e << 2)) * rs + <usize>o;
        let v = v128.load(r);
        a0 = i16x8.add(a0, i16x8.extend_low_i8x16_s(v)); a1 = i16x8.add(a1, i16x8.extend_high_i8x16_s(v));
        v = v128.load(r, 16);
        a2 = i16x8.add(a2, i16x8.extend_low_i8x16_s(v)); a3 = i16x8.add(a3, i16x8.extend_high_i8x16_s(v));
        v = v128.load(r, 32);
        a4 = i16x8.add(a4, i16x8.extend_low_i8x16_s(v)); a5 = i16x8.add(a5, i16x8.extend_high_i8x16_s(v));
        v = v128.load(r, 48);
        a6 = i16x8.add(a6, i16x8.extend_low_i8x16_s(v)); a7 = i16x8.add(a7, i16x8.extend_high_i8x16_s(v));
      }
      const first = g == 0;
      addTile(yo, a0, first); addTile(yo + 32, a1, first); addTile(yo + 64, a2, first); addTile(yo + 96, a3, first);
      addTile(yo + 128, a4, first); addTile(yo + 160, a5, first); addTile(yo + 192, a6, first); addTile(yo + 224, a7, first);
      g = end;
    } while (g < count);
  }
  for (; o < outP; o += 16) {
    const yo = y + (<usize>o << 2);
    let g = 0;
    do {
      const end = min(count, g + GROUP);
      let a0 = i16x8.splat(0), a1 = a0;
      for (let e = g; e < end; e++) {
        const v = v128.load(wT + <usize>load<i32>(idx + (<usize>e << 2)) * rs + <usize>o);
        a0 = i16x8.add(a0, i16x8.extend_low_i8x16_s(v));
        a1 = i16x8.add(a1, i16x8.extend_high_i8x16_s(v));
      }
      addTile(yo, a0, g == 0);
      addTile(yo + 32, a1, g == 0);
      g = end;
    } while (g < count);
  }
}

/** Valued events: y = Σ_e wT[idx[e], :] · x[idx[e]] (int8 × int8 → int32). */
export function events_i8_val_simd(wT: usize, x: usize, idx: usize, count: i32, y: usize, outP: i32): void {
  const rs = <usize>outP;
  for (let o: i32 = 0; o < outP; o += 16) {
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let e = 0; e < count; e++) {
      const i = <usize>load<i32>(idx + (<usize>e << 2));
      const s = i16x8.splat(<i16>load<i8>(x + i));
      const v = v128.load(wT + i * rs + <usize>o);
      const lo = i16x8.extend_low_i8x16_s(v), hi = i16x8.extend_high_i8x16_s(v);
      a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(lo, s));
      a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(lo, s));
      a2 = i32x4.add(a2, i32x4.extmul_low_i16x8_s(hi, s));
      a3 = i32x4.add(a3, i32x4.extmul_high_i16x8_s(hi, s));
    }
    const yo = y + (<usize>o << 2);
    v128.store(yo, a0);
    v128.store(yo, a1, 16);
    v128.store(yo, a2, 32);
    v128.store(yo, a3, 48);
  }
}

/** Scalar reference of both: x = 0 means "spike events" (value 1). */
export function events_i8_ref(wT: usize, x: usize, idx: usize, count: i32, y: usize, outP: i32): void {
  for (let o = 0; o < outP; o++) {
    let acc: i32 = 0;
    for (let e = 0; e < count; e++) {
      const i = load<i32>(idx + (<usize>e << 2));
      const v: i32 = x == 0 ? 1 : <i32>load<i8>(x + <usize>i);
      acc += <i32>load<i8>(wT + <usize>i * <usize>outP + <usize>o) * v;
    }
    store<i32>(y + (<usize>o << 2), acc);
  }
}
