// Event-driven accumulation in f32: y[o] = Σ_e wT[idx[e], o] · x[idx[e]] (x = 0: spike events,
// value 1), y overwritten. wT [inP, outP] f32 presynaptic-major; outP a multiple of 16.
// Tiles of 32 outputs keep 8 f32x4 accumulators in registers across all events. Events are
// summed in index order, so results can differ from the dense kernel's blocked order in the
// last bits (the integer kernels, by contrast, are exact).

export function events_f32_simd(wT: usize, x: usize, idx: usize, count: i32, y: usize, outP: i32): void {
  const rs = <usize>outP << 2;
  let o: i32 = 0;
  for (; o + 32 <= outP; o += 32) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (let e = 0; e < count; e++) {
      const i = <usize>load<i32>(idx + (<usize>e << 2));
      const r = wT + i * rs + (<usize>o << 2);
      if (x == 0) {
        a0 = f32x4.add(a0, v128.load(r)); a1 = f32x4.add(a1, v128.load(r, 16));
        a2 = f32x4.add(a2, v128.load(r, 32)); a3 = f32x4.add(a3, v128.load(r, 48));
        a4 = f32x4.add(a4, v128.load(r, 64)); a5 = f32x4.add(a5, v128.load(r, 80));
        a6 = f32x4.add(a6, v128.load(r, 96)); a7 = f32x4.add(a7, v128.load(r, 112));
      } else {
        const s = f32x4.splat(load<f32>(x + (i << 2)));
        a0 = f32x4.add(a0, f32x4.mul(v128.load(r), s)); a1 = f32x4.add(a1, f32x4.mul(v128.load(r, 16), s));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(r, 32), s)); a3 = f32x4.add(a3, f32x4.mul(v128.load(r, 48), s));
        a4 = f32x4.add(a4, f32x4.mul(v128.load(r, 64), s)); a5 = f32x4.add(a5, f32x4.mul(v128.load(r, 80), s));
        a6 = f32x4.add(a6, f32x4.mul(v128.load(r, 96), s)); a7 = f32x4.add(a7, f32x4.mul(v128.load(r, 112), s));
      }
    }
    const yo = y + (<usize>o << 2);
    v128.store(yo, a0); v128.store(yo, a1, 16); v128.store(yo, a2, 32); v128.store(yo, a3, 48);
    v128.store(yo, a4, 64); v128.store(yo, a5, 80); v128.store(yo, a6, 96); v128.store(yo, a7, 112);
  }
  for (; o < outP; o += 16) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let e = 0; e < count; e++) {
      const i = <usize>load<i32>(idx + (<usize>e << 2));
      const r = wT + i * rs + (<usize>o << 2);
      const s = f32x4.splat(x == 0 ? 1 : load<f32>(x + (i << 2)));
      a0 = f32x4.add(a0, f32x4.mul(v128.load(r), s)); a1 = f32x4.add(a1, f32x4.mul(v128.load(r, 16), s));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(r, 32), s)); a3 = f32x4.add(a3, f32x4.mul(v128.load(r, 48), s));
    }
    const yo = y + (<usize>o << 2);
    v128.store(yo, a0); v128.store(yo, a1, 16); v128.store(yo, a2, 32); v128.store(yo, a3, 48);
  }
}

export function events_f32_ref(wT: usize, x: usize, idx: usize, count: i32, y: usize, outP: i32): void {
  for (let o = 0; o < outP; o++) {
    let acc: f32 = 0;
    for (let e = 0; e < count; e++) {
      const i = <usize>load<i32>(idx + (<usize>e << 2));
      acc += load<f32>(wT + ((i * <usize>outP + <usize>o) << 2)) * (x == 0 ? <f32>1 : load<f32>(x + (i << 2)));
    }
    store<f32>(y + (<usize>o << 2), acc);
  }
}
