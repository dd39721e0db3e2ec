// Stand-alone copies of the ES CartPole hidden loop (assembly/es/rollout.ts, hidden4Impl fast
// path) with parts removed or swapped, for bench/kernel-probe-es-hidden.mjs. Results are
// meaningless; only the time per neuron is of interest. Records: 256 bytes per neuron as in
// rollout.ts (W1 at 0/32/64/96, b1 128, W2 160/192, membrane 224), inputs at xs + 32·i.
// Variant (vector instructions per neuron: loads + stores + arithmetic):
//   0 full loop (26)        1 no readout (20)          2 no membrane store, one readout (23)
//   3 readout sums as xor (26: float adds → integer)    4 dot-product sums as xor (26)
//   5 loads only, xor-folded (16)
export function run(g: usize, H: i32, xs: usize, reps: i32, variant: i32): void {
  const end = g + (<usize>H << 8);
  for (let r = 0; r < reps; r++) {
    // One specialised loop per variant (V is a constant after inlining): V8 does not unswitch
    // loops, so a variant test inside one shared loop would be timed too.
    if (variant == 0) sweep(g, end, xs, 0);
    else if (variant == 1) sweep(g, end, xs, 1);
    else if (variant == 2) sweep(g, end, xs, 2);
    else if (variant == 3) sweep(g, end, xs, 3);
    else if (variant == 4) sweep(g, end, xs, 4);
    else sweep(g, end, xs, 5);
  }
}

// @ts-ignore: decorator
@inline function sweep(g: usize, end: usize, xs: usize, V: i32): void {
  const x0 = v128.load(xs), x1 = v128.load(xs, 32), x2 = v128.load(xs, 64), x3 = v128.load(xs, 96);
  const al = f32x4.splat(0.5), be = f32x4.splat(0.5), th = f32x4.splat(1.0);
  let a0 = f32x4.splat(0), a1 = a0;
  if (V == 5) {
    for (let p = g; p < end; p += 256) {
      a0 = v128.xor(a0, v128.xor(v128.xor(v128.load(p), v128.load(p, 32)), v128.xor(v128.load(p, 64), v128.load(p, 96))));
      a1 = v128.xor(a1, v128.xor(v128.xor(v128.load(p, 128), v128.load(p, 224)), v128.xor(v128.load(p, 160), v128.load(p, 192))));
    }
  } else {
    for (let p = g; p < end; p += 256) {
      const m0 = f32x4.mul(v128.load(p), x0), m1 = f32x4.mul(v128.load(p, 32), x1);
      const m2 = f32x4.mul(v128.load(p, 64), x2), m3 = f32x4.mul(v128.load(p, 96), x3);
      const acc = V == 4
        ? v128.xor(v128.xor(v128.xor(m0, m1), m2), m3)
        : f32x4.add(f32x4.add(f32x4.add(m0, m1), m2), m3);
      const cur = f32x4.add(acc, v128.load(p, 128));
      const u = f32x4.add(f32x4.mul(v128.load(p, 224), al), f32x4.mul(cur, be));
      const f = f32x4.gt(u, th);
      const v = f32x4.sub(u, v128.and(th, f));
      if (V == 2) a1 = f32x4.add(a1, v); else v128.store(p, v, 224);
      if (V == 3) {
        a0 = v128.xor(a0, v128.and(v128.load(p, 160), f));
        a1 = v128.xor(a1, v128.and(v128.load(p, 192), f));
      } else if (V != 1) {
        a0 = f32x4.add(a0, v128.and(v128.load(p, 160), f));
        if (V != 2) a1 = f32x4.add(a1, v128.and(v128.load(p, 192), f));
      }
    }
  }
  v128.store(xs, a0, 128); v128.store(xs, a1, 160);
}
