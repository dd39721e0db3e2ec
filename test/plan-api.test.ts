// Plan behaviour: step ≡ run, reset, batch independence, time-major layout with T ≠ B,
// read-outs, counters, and the Euler discretization on a hand-worked trajectory.
import { describe, expect, it } from 'vitest';
import { Runtime, compile, type Precision } from '../src/index.js';
import { randomNet } from './helpers/nets.js';
import { rng, spikes } from './helpers/random.js';

const rt = Runtime.createSync();
const PRECISIONS: Precision[] = ['int8', 'f32'];

function net(seed: number) {
  return randomNet(rng(seed), { sizes: [10, 24, 12, 6], cells: ['lif', 'cubalif', 'li'], recurrent: [true, false, false] });
}

describe.each(PRECISIONS)('Plan (%s)', (precision) => {
  it('step() repeated equals run() on the same sequence', () => {
    const spec = net(1);
    const B = 2, T = 40;
    const x = spikes(rng(2), T * B * 10, 0.3);
    const a = compile(rt, spec, { precision, batch: B });
    const b = compile(rt, spec, { precision, batch: B });
    const r = a.run(x);
    for (let t = 0; t < T; t++) {
      const s = b.step(x.subarray(t * B * 10, (t + 1) * B * 10));
      expect(Array.from(s.membrane)).toEqual(Array.from(r.membrane.subarray(t * B * 6, (t + 1) * B * 6)));
    }
    expect(r.layerSpikes[0].reduce((p, q) => p + q, 0)).toBeGreaterThan(0);
  });

  it('reset() restores the initial state (same output as a fresh plan)', () => {
    const spec = net(3);
    const x = spikes(rng(4), 30 * 10, 0.4);
    const p = compile(rt, spec, { precision });
    const first = p.run(x);
    p.run(x);
    p.reset();
    const again = p.run(x);
    expect(Array.from(again.membrane)).toEqual(Array.from(first.membrane));
    expect(Array.from(again.layerSpikes[0])).toEqual(Array.from(first.layerSpikes[0]));
  });

  it('time-major [T, B, N] with T ≠ B: only the sample that gets input responds', () => {
    const spec = net(5);
    const T = 7, B = 3;
    const x = new Float32Array(T * B * 10);
    for (let t = 0; t < T; t++) for (let i = 0; i < 10; i++) x[(t * B + 1) * 10 + i] = 1; // sample 1 only
    const p = compile(rt, spec, { precision, batch: B });
    const r = p.run(x);
    const s = r.layerSpikes[0];
    let other = 0, mine = 0;
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let i = 0; i < 24; i++) {
      const v = s[(t * B + b) * 24 + i];
      if (b === 1) mine += v; else other += v;
    }
    expect(mine).toBeGreaterThan(0);
    // Biases alone may make the silent samples fire, but identically to each other.
    for (let t = 0; t < T; t++) {
      expect(Array.from(s.subarray((t * B) * 24, (t * B + 1) * 24))).toEqual(Array.from(s.subarray((t * B + 2) * 24, (t * B + 3) * 24)));
    }
    expect(other).toBeLessThan(mine * 2 + 1);
  });

  it('batch rows are independent: row b of a batch run equals b run alone', () => {
    const spec = net(6);
    const T = 25, B = 3;
    const x = spikes(rng(7), T * B * 10, 0.3);
    const all = compile(rt, spec, { precision, batch: B }).run(x);
    const one = compile(rt, spec, { precision, batch: 1 });
    const xb = new Float32Array(T * 10);
    for (let t = 0; t < T; t++) xb.set(x.subarray((t * B + 2) * 10, (t * B + 3) * 10), t * 10);
    const r = one.run(xb);
    for (let t = 0; t < T; t++) {
      const want = Array.from(all.layerSpikes[0].subarray((t * B + 2) * 24, (t * B + 3) * 24));
      expect(Array.from(r.layerSpikes[0].subarray(t * 24, (t + 1) * 24))).toEqual(want);
    }
    if (precision === 'int8') {
      expect(Array.from(r.membrane)).toEqual(Array.from({ length: T * 6 }, (_, i) => all.membrane[(Math.floor(i / 6) * B + 2) * 6 + (i % 6)]));
    }
  });

  it('layer read-outs and exact counters', () => {
    const spec = net(8);
    const T = 20, B = 2;
    const p = compile(rt, spec, { precision, batch: B });
    const r = p.run(spikes(rng(9), T * B * 10, 0.5));
    expect(p.layers.map((l) => [l.kind, l.size])).toEqual([['lif', 24], ['cubalif', 12], ['li', 6]]);
    expect(Array.from(p.layers[0].spikes())).toEqual(Array.from(r.layerSpikes[0].subarray((T - 1) * B * 24)));
    expect(p.layers[2].membrane().length).toBe(B * 6);
    const c = p.counters();
    c.forEach((k, l) => expect(k.spikes).toBe(r.layerSpikes[l].reduce((a, b) => a + b, 0)));
    // Dense-equivalent MACs: T·B·n·(inputs + recurrent inputs), whichever path ran.
    expect(c[0].macs).toBe(T * B * 24 * (10 + 24));
    expect(c[1].macs).toBe(T * B * 12 * 24);
    expect(c[0].membraneUpdates).toBe(T * B * 24);
    // Synaptic events: every nonzero input (and recurrent spike of the previous step) × fan-out.
    let rec = 0;
    for (let t = 0; t < T - 1; t++) for (let i = 0; i < B * 24; i++) rec += r.layerSpikes[0][t * B * 24 + i];
    expect(c[1].synapticEvents).toBe(r.layerSpikes[0].reduce((a, b) => a + b, 0) * 12);
    expect(c[0].eventSteps + c[0].denseSteps).toBe(2 * T);
    expect(c[2].synapticEvents).toBe(r.layerSpikes[1].reduce((a, b) => a + b, 0) * 6);
    expect(rec).toBeGreaterThan(0);
    p.resetCounters();
    expect(p.counters()[0]).toEqual({ spikes: 0, synapticEvents: 0, macs: 0, membraneUpdates: 0, eventSteps: 0, denseSteps: 0 });
  });
});

describe('Euler discretization', () => {
  it('LIF with dt/τ = 0.1, r = 1 and a constant current 1 gives 0.1, 0.19, 0.271 (f32)', () => {
    const p = compile(rt, { inputSize: 1, dt: 1e-3, layers: [
      { type: 'linear', outFeatures: 1, weight: [1] }, { type: 'lif', tau: 0.01, vThreshold: 10 }] }, { precision: 'f32' });
    const v = [0, 1, 2].map(() => p.step([1]).membrane[0]);
    expect(v[0]).toBeCloseTo(0.1, 6);
    expect(v[1]).toBeCloseTo(0.19, 6);
    expect(v[2]).toBeCloseTo(0.271, 6);
  });

  it('int8 follows the same trajectory within one membrane LSB', () => {
    const p = compile(rt, { inputSize: 1, dt: 1e-3, layers: [
      { type: 'linear', outFeatures: 1, weight: [1] }, { type: 'lif', tau: 0.01, vThreshold: 1 }] }, { precision: 'int8' });
    const want = [0.1, 0.19, 0.271, 0.3439];
    const lsb = 1 / 4096;
    for (const w of want) expect(Math.abs(p.step([1]).membrane[0] - w)).toBeLessThan(2 * lsb);
  });

  it('fires when v exceeds the threshold, then subtracts it', () => {
    const p = compile(rt, { inputSize: 1, dt: 1e-3, layers: [
      { type: 'linear', outFeatures: 1, weight: [1] }, { type: 'if', r: 1000, vThreshold: 1.5 }] }, { precision: 'f32' });
    const out = [0, 1, 2].map(() => p.step([1]));
    expect(out.map((o) => o.spikes[0])).toEqual([0, 1, 0]);
    expect(out[1].membrane[0]).toBeCloseTo(0.5, 6);
    expect(out[2].membrane[0]).toBeCloseTo(1.5, 6); // exactly at threshold: no spike (strict >)
  });
});
