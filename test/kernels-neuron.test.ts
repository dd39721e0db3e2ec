// Neuron kernels vs their scalar references (bit for bit, integer and float), on seeded random
// inputs mixed with edge values: 0, ±max, int16 min, saturation, v exactly at threshold,
// all spiking, none spiking. A failure names kernel, build, case, element and seed.
import { describe, expect, it } from 'vitest';
import { BUILDS, Kernels, firstDiff } from './helpers/kernels.js';
import { rng } from './helpers/random.js';

const LEAK = { multiply: 0, shift: 1, none: 2 };
const RESET = { subtract: 0, zero: 1, none: 2 };
const EDGE16 = [0, 1, -1, 32767, -32768, 32766, -32767, 4096, 4095, 4097];

function i16s(r: () => number, n: number, edgeRate: number, lo = -32768, hi = 32767): Int16Array {
  return Int16Array.from({ length: n }, () =>
    r() < edgeRate ? EDGE16[Math.floor(r() * EDGE16.length)] : lo + Math.floor(r() * (hi - lo + 1)));
}

interface Case { n: number; batch: number; leak: number; reset: number; refractory: number; shiftK: number; seed: number }

function cases(): Case[] {
  const out: Case[] = [];
  let seed = 1;
  for (const n of [16, 32, 80]) {
    for (const batch of [1, 3]) {
      for (const leak of Object.values(LEAK)) {
        for (const reset of Object.values(RESET)) {
          for (const refractory of [0, 3]) out.push({ n, batch, leak, reset, refractory, shiftK: (seed % 15) + 1, seed: seed++ });
        }
      }
    }
  }
  return out;
}

describe.each(BUILDS)('lif_i16_simd vs lif_i16_ref (%s build)', (build) => {
  const k = new Kernels(build);
  it.each(cases())('n=$n batch=$batch leak=$leak reset=$reset refr=$refractory seed=$seed', (c) => {
    k.resetArena();
    const r = rng(c.seed);
    const N = c.n * c.batch;
    const v = i16s(r, N, 0.2), cur = i16s(r, N, 0.2, -6000, 6000);
    const decay = i16s(r, c.n, 0.1, 0, 32767).map((x) => Math.abs(x));
    const leak = i16s(r, c.n, 0.1, -300, 300);
    const th = i16s(r, c.n, 0.3, 1, 32767).map((x) => (x <= 0 ? 4096 : x));
    const vr = i16s(r, c.n, 0.1, -4096, 0);
    // Make a few neurons sit exactly at threshold after the update (no spike: v > th is strict).
    const refr = Int16Array.from({ length: N }, () => Math.floor(r() * 3));
    const run = (fn: string) => {
      const pv = k.put(v), pc = k.put(cur), pd = k.put(decay), pl = k.put(leak), pt = k.put(th), pr = k.put(vr);
      const ps = k.alloc(N), pf = c.refractory ? k.put(refr) : 0;
      const count = k.exports[fn](pv, pc, pd, pl, pt, pr, ps, pf, c.n, c.batch, c.leak, c.shiftK, c.reset, c.refractory);
      return { v: k.i16(pv, N), s: k.u8(ps, N), r: pf ? k.i16(pf, N) : new Int16Array(0), count };
    };
    const a = run('lif_i16_simd'), b = run('lif_i16_ref');
    for (const f of ['v', 's', 'r'] as const) {
      const i = firstDiff(a[f], b[f]);
      expect(i, `lif_i16_simd ${build} ${f} differs at element ${i}/${a[f].length}, seed ${c.seed}`).toBe(-1);
    }
    expect(a.count).toBe(b.count);
    expect(a.count).toBe(a.s.reduce((x, y) => x + y, 0));
  });

  it('strict threshold: v exactly at threshold does not fire; one above does; all and none fire', () => {
    k.resetArena();
    const n = 16;
    const th = new Int16Array(n).fill(100);
    const zero = new Int16Array(n);
    const cur = Int16Array.from({ length: n }, (_, i) => (i < 8 ? 100 : 101));
    const pv = k.alloc(2 * n), ps = k.alloc(n);
    const count = k.exports.lif_i16_simd(pv, k.put(cur), k.put(zero), k.put(zero), k.put(th), k.put(zero), ps, 0, n, 1, LEAK.none, 0, RESET.subtract, 0);
    expect(Array.from(k.u8(ps, n))).toEqual(Array.from({ length: n }, (_, i) => (i < 8 ? 0 : 1)));
    expect(count).toBe(8);
    expect(Array.from(k.i16(pv, n))).toEqual(Array.from({ length: n }, (_, i) => (i < 8 ? 100 : 1)));
  });

  it('saturates instead of wrapping', () => {
    k.resetArena();
    const n = 16;
    const v = new Int16Array(n).fill(32000), cur = new Int16Array(n).fill(32000);
    const th = new Int16Array(n).fill(32767), zero = new Int16Array(n);
    const pv = k.put(v), ps = k.alloc(n);
    k.exports.lif_i16_simd(pv, k.put(cur), k.put(zero), k.put(zero), k.put(th), k.put(zero), ps, 0, n, 1, LEAK.none, 0, RESET.subtract, 0);
    expect(Array.from(k.i16(pv, n))).toEqual(new Array(n).fill(32767));
    const pn = k.put(new Int16Array(n).fill(-32000));
    k.exports.lif_i16_simd(pn, k.put(new Int16Array(n).fill(-32000)), k.put(zero), k.put(zero), k.put(th), k.put(zero), ps, 0, n, 1, LEAK.none, 0, RESET.subtract, 0);
    expect(Array.from(k.i16(pn, n))).toEqual(new Array(n).fill(-32768));
  });
});

describe.each(BUILDS)('syn_i16_simd vs syn_i16_ref (%s build)', (build) => {
  const k = new Kernels(build);
  it.each([16, 24, 80].flatMap((n) => [1, 2].flatMap((batch) => [0, 1, 2].map((leak) => ({ n, batch, leak, seed: n * 7 + batch * 3 + leak })))))(
    'n=$n batch=$batch leak=$leak', (c) => {
      k.resetArena();
      const r = rng(c.seed);
      const N = c.n * c.batch;
      const syn = i16s(r, N, 0.3), cur = i16s(r, N, 0.3);
      const decay = i16s(r, c.n, 0.2, 0, 32767);
      const run = (fn: string) => {
        const ps = k.put(syn);
        k.exports[fn](ps, k.put(cur), k.put(decay), c.n, c.batch, c.leak, 5);
        return k.i16(ps, N);
      };
      const a = run('syn_i16_simd'), b = run('syn_i16_ref');
      expect(firstDiff(a, b), `syn_i16_simd seed ${c.seed}`).toBe(-1);
    });
});

describe.each(BUILDS)('lif_f32_simd vs lif_f32_ref (%s build)', (build) => {
  const k = new Kernels(build);
  it.each(cases().filter((c) => c.leak === 0))('n=$n batch=$batch reset=$reset refr=$refractory seed=$seed', (c) => {
    k.resetArena();
    const r = rng(c.seed);
    const N = c.n * c.batch;
    const f = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + r() * (hi - lo));
    const v = f(N, -2, 2), cur = f(N, -3, 3);
    const alpha = f(c.n, 0, 1), beta = f(c.n, 0, 1), gamma = f(c.n, -0.1, 0.1), th = f(c.n, 0.1, 1.5), vr = f(c.n, -0.5, 0);
    v[0] = th[0]; // exactly at threshold before the update
    const refr = Int16Array.from({ length: N }, () => Math.floor(r() * 3));
    const run = (fn: string) => {
      const pv = k.put(v), ps = k.alloc(N), pf = c.refractory ? k.put(refr) : 0;
      const count = k.exports[fn](pv, k.put(cur), k.put(alpha), k.put(beta), k.put(gamma), k.put(th), k.put(vr), ps, pf, c.n, c.batch, c.reset, c.refractory);
      return { v: k.f32(pv, N), s: k.u8(ps, N), r: pf ? k.i16(pf, N) : new Int16Array(0), count };
    };
    const a = run('lif_f32_simd'), b = run('lif_f32_ref');
    for (const fld of ['v', 's', 'r'] as const) {
      const i = firstDiff(a[fld], b[fld]);
      expect(i, `lif_f32_simd ${build} ${fld} differs at element ${i}, seed ${c.seed}`).toBe(-1);
    }
    expect(a.count).toBe(b.count);
  });

  it('hand-worked trajectory: alpha 0.9, beta 0.1, input 1 gives 0.1, 0.19, 0.271', () => {
    k.resetArena();
    const n = 16;
    const pv = k.alloc(4 * n), ps = k.alloc(n);
    const args = [k.put(new Float32Array(n).fill(1)), k.put(new Float32Array(n).fill(0.9)), k.put(new Float32Array(n).fill(0.1)),
      k.put(new Float32Array(n)), k.put(new Float32Array(n).fill(1)), k.put(new Float32Array(n))];
    const seen: number[] = [];
    for (let t = 0; t < 3; t++) {
      k.exports.lif_f32_simd(pv, args[0], args[1], args[2], args[3], args[4], args[5], ps, 0, n, 1, RESET.subtract, 0);
      seen.push(k.f32(pv, 1)[0]);
    }
    expect(seen[0]).toBeCloseTo(0.1, 6);
    expect(seen[1]).toBeCloseTo(0.19, 6);
    expect(seen[2]).toBeCloseTo(0.271, 6);
  });
});

describe.each(BUILDS)('requant_i16_simd vs requant_i16_ref (%s build)', (build) => {
  const k = new Kernels(build);
  it.each([1, 2, 3, 4, 5, 6].map((seed) => ({ seed, n: seed % 2 ? 16 : 40, batch: 1 + (seed % 3), rec: seed % 2 === 0 })))(
    'seed=$seed n=$n batch=$batch recurrent=$rec', (c) => {
      k.resetArena();
      const r = rng(c.seed * 101);
      const N = c.n * c.batch;
      const acc = (m: number) => Int32Array.from({ length: N }, () => (r() < 0.05 ? (r() < 0.5 ? -(2 ** 31) : 2 ** 31 - 1) : Math.floor((r() * 2 - 1) * m)));
      const mult = () => Int32Array.from({ length: c.n }, () => Math.floor((r() * 2 - 1) * 2 ** 31));
      const a1 = acc(2 ** 20), a2 = acc(2 ** 16), m1 = mult(), m2 = mult();
      const bias = Int32Array.from({ length: c.n }, () => Math.floor((r() * 2 - 1) * 40000));
      const s1 = 20 + (c.seed % 30), s2 = 1 + c.seed * 7;
      const run = (fn: string) => {
        const out = k.alloc(2 * N);
        k.exports[fn](k.put(a1), k.put(m1), s1, c.rec ? k.put(a2) : 0, k.put(m2), s2, k.put(bias), out, c.n, c.batch);
        return k.i16(out, N);
      };
      const a = run('requant_i16_simd'), b = run('requant_i16_ref');
      expect(firstDiff(a, b), `requant_i16_simd seed ${c.seed}`).toBe(-1);
    });
});

describe.each(BUILDS)('io kernels (%s build)', (build) => {
  const k = new Kernels(build);
  it('quantize_f32_i8 rounds half to even and clamps to ±127', () => {
    k.resetArena();
    const x = Float32Array.from([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5, 127.5, 1000, -1000, 0, -0, 3.49, -3.51, 0.4999, 7]);
    const dst = k.alloc(32);
    k.exports.quantize_f32_i8(k.put(x), dst, x.length, 32, 1, 1);
    expect(Array.from(k.i8(dst, 16))).toEqual([0, 2, 2, 0, -2, -2, 126, 127, 127, -127, 0, 0, 3, -4, 0, 7]);
  });
  it('u8_to_f32 widens spike bytes', () => {
    k.resetArena();
    const s = Uint8Array.from({ length: 32 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
    const dst = k.alloc(128);
    k.exports.u8_to_f32(k.put(s), dst, 32);
    expect(Array.from(k.f32(dst, 32))).toEqual(Array.from(s));
  });
});

describe.each(BUILDS)('requant_i16_fast_simd = requant_i16_ref when sums fit int32 (%s build)', (build) => {
  const k = new Kernels(build);
  it.each([1, 2, 3].map((seed) => ({ seed })))('seed $seed', ({ seed }) => {
    k.resetArena();
    const r = rng(seed * 313);
    const n = 48, batch = 2, N = n * batch;
    const acc = () => Int32Array.from({ length: N }, () => Math.floor((r() * 2 - 1) * 2 ** 22));
    const mult = () => Int32Array.from({ length: n }, () => Math.floor((r() * 2 - 1) * 2 ** 30));
    const a1 = acc(), a2 = acc(), m1 = mult(), m2 = mult();
    const bias = Int32Array.from({ length: n }, () => Math.floor((r() * 2 - 1) * 50000));
    const s1 = 28, s2 = 30; // |acc·M| / 2^S < 2^24: sums fit int32, currents saturate to int16 often
    const run = (fn: string) => {
      const out = k.alloc(2 * N);
      k.exports[fn](k.put(a1), k.put(m1), s1, k.put(a2), k.put(m2), s2, k.put(bias), out, n, batch);
      return k.i16(out, N);
    };
    const a = run('requant_i16_fast_simd'), b = run('requant_i16_ref');
    expect(firstDiff(a, b), `seed ${seed}`).toBe(-1);
    expect(a.some((v) => v === 32767) && a.some((v) => v === -32768)).toBe(true);
  });
});
