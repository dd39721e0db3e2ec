// The event-driven engine: kernels against their references and against the dense path,
// bit-identical integer plans whichever path runs (activity 0 % to 100 %, recurrent layers),
// exact counters that grow linearly with spikes, no allocation in steady state, and typed
// errors for bad event lists.
import { describe, expect, it } from 'vitest';
import { Runtime, SpikeletError, compile } from '../src/index.js';
import { BUILDS, Kernels, firstDiff } from './helpers/kernels.js';
import { randomNet } from './helpers/nets.js';
import { rng, spikes } from './helpers/random.js';

describe.each(BUILDS)('event kernels (%s build)', (build) => {
  const k = new Kernels(build);

  it.each([0, 0.01, 0.1, 0.5, 1].flatMap((a) => [16, 48, 1040].map((n) => ({ a, n }))))('compact_u8_simd = ref, activity $a, n $n', ({ a, n }) => {
    k.resetArena();
    const r = rng(n + Math.round(a * 1000));
    const x = Uint8Array.from({ length: n }, () => (r() < a ? 1 + Math.floor(r() * 255) : 0));
    const px = k.put(x);
    const i1 = k.alloc(4 * n), i2 = k.alloc(4 * n);
    const c1 = k.exports.compact_u8_simd(px, n, i1), c2 = k.exports.compact_u8_ref(px, n, i2);
    expect(c1).toBe(c2);
    expect(firstDiff(k.i32(i1, c1), k.i32(i2, c2))).toBe(-1);
    expect(k.exports.count_nonzero_u8(px, n)).toBe(c2);
  });

  it.each([1, 2, 3, 4, 5, 6].map((seed) => ({ seed, outP: [16, 64, 80, 1024, 144, 32][seed - 1], inP: [16, 64, 48, 64, 600, 16][seed - 1] })))(
    'events_i8 spike/valued = ref = dense matmul ref (seed $seed, $outP×$inP)', ({ seed, outP, inP }) => {
      k.resetArena();
      const r = rng(seed * 77);
      const W = Int8Array.from({ length: outP * inP }, () => (r() < 0.1 ? (r() < 0.5 ? -128 : 127) : Math.floor(r() * 256) - 128));
      const WT = new Int8Array(inP * outP);
      for (let o = 0; o < outP; o++) for (let i = 0; i < inP; i++) WT[i * outP + o] = W[o * inP + i];
      // ≥ 300 events in one case (inP 600 at high activity) crosses the 256-event int16 group.
      const act = seed === 5 ? 0.9 : 0.3;
      const xs = Int8Array.from({ length: inP }, () => (r() < act ? 1 : 0));
      const xv = Int8Array.from({ length: inP }, () => (r() < act ? Math.floor(r() * 255) - 127 : 0));
      const pw = k.put(W), pwt = k.put(WT), idx = k.alloc(4 * inP);
      for (const [x, valued] of [[xs, false], [xv, true]] as const) {
        const px = k.put(x);
        const n = k.exports.compact_u8_simd(px, inP, idx);
        const ySimd = k.alloc(4 * outP), yRef = k.alloc(4 * outP), yDense = k.alloc(4 * outP);
        if (valued) k.exports.events_i8_val_simd(pwt, px, idx, n, ySimd, outP);
        else k.exports.events_i8_spk_simd(pwt, idx, n, ySimd, outP);
        k.exports.events_i8_ref(pwt, valued ? px : 0, idx, n, yRef, outP);
        k.exports.matmul_i8_ref(pw, px, yDense, 1, outP, inP);
        expect(firstDiff(k.i32(ySimd, outP), k.i32(yRef, outP)), `events_i8 ${valued ? 'val' : 'spk'} seed ${seed}`).toBe(-1);
        expect(firstDiff(k.i32(yRef, outP), k.i32(yDense, outP)), `events vs dense seed ${seed}`).toBe(-1);
      }
    });

  it('events_f32_simd = events_f32_ref bit for bit (same summation order)', () => {
    k.resetArena();
    const r = rng(9);
    const outP = 80, inP = 64;
    const WT = Float32Array.from({ length: inP * outP }, () => r() * 2 - 1);
    const x = Float32Array.from({ length: inP }, () => (r() < 0.3 ? r() * 4 - 2 : 0));
    const pwt = k.put(WT), px = k.put(x), idx = k.alloc(4 * inP);
    const n = k.exports.compact_f32_simd(px, inP, idx);
    expect(n).toBe(x.filter((v) => v !== 0).length);
    for (const xp of [0, px]) {
      const a = k.alloc(4 * outP), b = k.alloc(4 * outP);
      k.exports.events_f32_simd(pwt, xp, idx, n, a, outP);
      k.exports.events_f32_ref(pwt, xp, idx, n, b, outP);
      expect(firstDiff(k.f32(a, outP), k.f32(b, outP))).toBe(-1);
    }
  });
});

describe('int8 plans: event path ≡ dense path, bit for bit', () => {
  const rt = Runtime.createSync();
  it.each([0, 0.01, 0.05, 0.2, 0.5, 1].map((activity) => ({ activity })))('input activity $activity', ({ activity }) => {
    const r = rng(Math.round(activity * 1000) + 3);
    const spec = randomNet(r, { sizes: [64, 48, 32, 8], cells: ['lif', 'cubalif', 'lif'], recurrent: [true, false, true] });
    const B = 2, T = 60;
    const x = spikes(r, T * B * 64, activity);
    const dense = compile(rt, spec, { batch: B, eventDriven: 'off' });
    const events = compile(rt, spec, { batch: B, eventDriven: 'always' });
    const auto = compile(rt, spec, { batch: B, eventDriven: 'auto', crossover: 0.1 });
    const a = dense.run(x), b = events.run(x), c = auto.run(x);
    for (const other of [b, c]) {
      other.layerSpikes.forEach((s, l) => expect(firstDiff(s, a.layerSpikes[l]), `layer ${l}`).toBe(-1));
      expect(firstDiff(other.membrane, a.membrane)).toBe(-1);
    }
    const cd = dense.counters(), ce = events.counters(), ca = auto.counters();
    // Work counters are identical whichever path ran; the path counters say which ran.
    for (const f of ['spikes', 'synapticEvents', 'macs', 'membraneUpdates'] as const) {
      expect(ce.map((q) => q[f])).toEqual(cd.map((q) => q[f]));
      expect(ca.map((q) => q[f])).toEqual(cd.map((q) => q[f]));
    }
    expect(cd.every((q) => q.eventSteps === 0)).toBe(true);
    expect(ce.every((q) => q.denseSteps === 0)).toBe(true);
    if (activity <= 0.05) expect(ca[0].eventSteps).toBeGreaterThan(0);
    if (activity >= 0.5) expect(ca[0].denseSteps).toBeGreaterThan(0);
  });
});

describe('work grows linearly with spikes (counters, not wall-clock)', () => {
  it('synaptic events = input spikes × fan-out, for activities 1 %…50 %', () => {
    const rt = Runtime.createSync();
    const spec = { inputSize: 256, layers: [{ type: 'linear' as const, outFeatures: 100, weight: new Float32Array(25600).fill(0.01) }, { type: 'lif' as const, tau: 0.01 }] };
    const plan = compile(rt, spec, { eventDriven: 'always' });
    const points: [number, number][] = [];
    for (const a of [0.01, 0.02, 0.05, 0.1, 0.2, 0.5]) {
      plan.resetCounters();
      const x = spikes(rng(Math.round(a * 100)), 50 * 256, a);
      plan.run(x);
      const inputSpikes = x.reduce((s, v) => s + v, 0);
      const c = plan.counters()[0];
      expect(c.synapticEvents).toBe(inputSpikes * 100);
      expect(c.eventSteps).toBe(50);
      points.push([inputSpikes, c.synapticEvents]);
    }
    // Exactly proportional: the same work per spike at every activity.
    for (const [s, e] of points) expect(e / s).toBe(100);
    expect(points[5][1]).toBeGreaterThan(20 * points[0][1]);
  });
});

describe('steady state', () => {
  it('step() and stepEvents() allocate no wasm memory over 100 000 steps', () => {
    const rt = Runtime.createSync();
    const plan = compile(rt, randomNet(rng(4), { sizes: [32, 32, 8], cells: ['lif', 'li'], recurrent: [true, false] }), { crossover: 0.2 });
    const out = { spikes: new Uint8Array(8), membrane: new Float32Array(8) };
    const x = spikes(rng(5), 32, 0.1);
    const ev = [Int32Array.of(1, 5, 30)];
    plan.step(x, out);
    const bytes = rt.memory.buffer.byteLength, arena = rt.arenaBytes;
    for (let t = 0; t < 100_000; t++) {
      if (t % 2) plan.step(x, out);
      else plan.stepEvents(ev, out);
    }
    expect(rt.memory.buffer.byteLength).toBe(bytes);
    expect(rt.arenaBytes).toBe(arena);
    expect(plan.counters()[0].membraneUpdates).toBe(100_001 * 32);
  });
});

describe('event lists from the user', () => {
  const rt = Runtime.createSync();
  const spec = randomNet(rng(6), { sizes: [10, 16, 4], cells: ['lif', 'li'] });
  it('stepEvents equals step on the equivalent dense input', () => {
    const a = compile(rt, spec, { batch: 2 }), b = compile(rt, spec, { batch: 2 });
    for (let t = 0; t < 20; t++) {
      const ev = [Int32Array.of(t % 10, (t * 3) % 10), Uint16Array.of()];
      const x = new Float32Array(20);
      for (const i of ev[0]) x[i] = 1;
      expect(Array.from(a.stepEvents(ev).membrane)).toEqual(Array.from(b.step(x).membrane));
    }
  });
  it('rejects out-of-range indices, wrong dtypes and wrong batch, leaving the state untouched', () => {
    const p = compile(rt, spec, { batch: 1 }), q = compile(rt, spec, { batch: 1 });
    p.stepEvents([[1, 2]]);
    q.stepEvents([[1, 2]]);
    const bad: [unknown, string][] = [
      [[Int32Array.of(3, 10)], 'events[0][1]'], [[[-1]], 'events[0][0]'], [[[1.5]], 'events[0][0]'],
      [[Float32Array.of(1)], 'events[0]'], [[[1], [2]], 'events.length'], ['nope', 'events.length'],
    ];
    for (const [ev, field] of bad) {
      let err: unknown;
      try { p.stepEvents(ev as never); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(SpikeletError);
      expect((err as SpikeletError).field).toBe(field);
    }
    expect(Array.from(p.stepEvents([[4]]).membrane)).toEqual(Array.from(q.stepEvents([[4]]).membrane));
  });
});

describe('crossover', () => {
  it('calibrate() measures a curve on this machine; setCrossover overrides it', () => {
    const rt = Runtime.createSync();
    const spec = randomNet(rng(7), { sizes: [256, 256, 4], cells: ['lif', 'li'] });
    const plan = compile(rt, spec, { crossover: 0.5 });
    expect(plan.synapses.map((s) => s.crossover)).toEqual([0.5, 0.5]);
    const cal = plan.calibrate({ fresh: true });
    expect(cal).toHaveLength(2);
    expect(cal[0].curve.length).toBeGreaterThan(5);
    expect(cal[0].curve.every((p) => p.denseUs > 0 && p.eventsUs > 0)).toBe(true);
    expect(plan.synapses[0].crossover).toBe(cal[0].crossover);
    plan.setCrossover(0, 0);
    plan.resetCounters();
    plan.run(spikes(rng(8), 10 * 256, 0.05));
    expect(plan.counters()[0].denseSteps).toBe(10);
    plan.setCrossover(0, 1);
    plan.resetCounters();
    plan.run(spikes(rng(8), 10 * 256, 0.9));
    expect(plan.counters()[0].eventSteps).toBe(10);
    expect(() => plan.setCrossover(0, 2)).toThrow(SpikeletError);
    expect(() => plan.setCrossover(9, 0.1)).toThrow(/index/);
    expect(() => compile(rt, spec, { crossover: [0.1] })).toThrow(/crossover/);
  });
});
