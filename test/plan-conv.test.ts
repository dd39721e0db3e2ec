// Convolutional plans: conv2d, sum/average pooling and flatten, in f32 against an independent
// plain float simulator, and in int8 with the event path bit-identical to the dense path at
// every activity, with exact synaptic-event counts.
import { describe, expect, it } from 'vitest';
import { Runtime, compile, type NetworkSpec } from '../src/index.js';
import { FloatReference } from './helpers/float-reference.js';
import { firstDiff } from './helpers/kernels.js';
import { floats, rng, spikes } from './helpers/random.js';

function convNet(seed: number, pool: 'sumpool2d' | 'avgpool2d' = 'sumpool2d'): NetworkSpec {
  const r = rng(seed);
  return {
    inputSize: 2 * 12 * 12, inputShape: [2, 12, 12], dt: 1e-3,
    layers: [
      { type: 'conv2d', outChannels: 6, kernelSize: [3, 3], stride: [1, 1], padding: [1, 1], weight: floats(r, 6 * 2 * 9, 4), bias: floats(r, 6, 0.2) },
      { type: 'if', r: 1000, vThreshold: 1 },
      { type: pool, kernelSize: [2, 2] },
      { type: 'conv2d', outChannels: 20, kernelSize: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], weight: floats(r, 20 * 6 * 9, 1.5) },
      { type: 'if', r: 1000, vThreshold: 1 },
      { type: 'flatten' },
      { type: 'linear', outFeatures: 10, weight: floats(r, 10 * 20 * 3 * 3, 0.8) },
      { type: 'lif', tau: 0.002, vThreshold: 0.5 },
    ],
  };
}

describe('f32 conv plan = plain float reference', () => {
  const rt = Runtime.createSync();
  it.each(['sumpool2d', 'avgpool2d'] as const)('%s', (pool) => {
    const spec = convNet(1, pool);
    const plan = compile(rt, spec, { precision: 'f32' });
    const ref = new FloatReference(spec);
    const T = 12;
    const x = spikes(rng(2), T * 288, 0.3);
    const got = plan.run(x);
    let spikeCount = 0;
    for (let t = 0; t < T; t++) {
      const want = ref.step(x.subarray(t * 288, (t + 1) * 288));
      want.spikes.forEach((s, l) => {
        const n = s.length;
        const g = got.layerSpikes[l].subarray(t * n, (t + 1) * n);
        const d = firstDiff(Array.from(g), Array.from(s));
        expect(d, `layer ${l} step ${t} neuron ${d}`).toBe(-1);
        spikeCount += g.reduce((a, b) => a + b, 0);
      });
      const m = got.membrane.subarray(t * 10, (t + 1) * 10);
      for (let i = 0; i < 10; i++) expect(Math.abs(m[i] - want.membrane[i])).toBeLessThan(1e-4 * (1 + Math.abs(want.membrane[i])));
    }
    expect(spikeCount).toBeGreaterThan(100);
    expect(plan.layers.map((l) => l.size)).toEqual([6 * 12 * 12, 20 * 3 * 3, 10]);
  });
});

describe('int8 conv plan: events ≡ dense, bit for bit', () => {
  const rt = Runtime.createSync();
  it.each([0, 0.02, 0.1, 0.4, 1].flatMap((activity) => (['sumpool2d', 'avgpool2d'] as const).map((pool) => ({ activity, pool }))))(
    'activity $activity, $pool', ({ activity, pool }) => {
      const spec = convNet(3, pool);
      const B = 2, T = 15;
      const x = spikes(rng(4 + activity * 100), T * B * 288, activity);
      const dense = compile(rt, spec, { batch: B, eventDriven: 'off' });
      const events = compile(rt, spec, { batch: B, eventDriven: 'always' });
      const a = dense.run(x), b = events.run(x);
      a.layerSpikes.forEach((s, l) => expect(firstDiff(b.layerSpikes[l], s), `layer ${l}`).toBe(-1));
      expect(firstDiff(b.membrane, a.membrane)).toBe(-1);
      const cd = dense.counters(), ce = events.counters();
      expect(ce.map((c) => [c.spikes, c.synapticEvents, c.macs])).toEqual(cd.map((c) => [c.spikes, c.synapticEvents, c.macs]));
      if (activity > 0) expect(a.layerSpikes[0].reduce((p, q) => p + q, 0)).toBeGreaterThan(0);
    });

  it('synaptic events of a conv layer = Σ over input spikes of valid kernel positions × output channels', () => {
    const spec: NetworkSpec = { inputSize: 1 * 5 * 5, inputShape: [1, 5, 5], layers: [
      { type: 'conv2d', outChannels: 3, kernelSize: [3, 3], padding: [1, 1], weight: new Float32Array(27).fill(0.1) },
      { type: 'if' }] };
    const plan = compile(rt, spec, { eventDriven: 'always' });
    const x = new Float32Array(25);
    x[0] = 1;  // corner: 4 valid kernel positions
    x[12] = 1; // centre: 9
    x[2] = 1;  // edge: 6
    plan.run(x);
    expect(plan.counters()[0].synapticEvents).toBe((4 + 9 + 6) * 3);
  });

  it('int8 follows the f32 model closely on a conv net', () => {
    const spec = convNet(5);
    const x = spikes(rng(6), 30 * 288, 0.2);
    const a = compile(rt, spec).run(x), b = compile(rt, spec, { precision: 'f32' }).run(x);
    // Integrate-and-fire neurons never forget, so a weight-rounding difference shifts spike
    // times: bits differ more than with LIF, but the firing rates agree.
    let same = 0, na = 0, nb = 0;
    for (let i = 0; i < a.layerSpikes[0].length; i++) {
      same += a.layerSpikes[0][i] === b.layerSpikes[0][i] ? 1 : 0;
      na += a.layerSpikes[0][i];
      nb += b.layerSpikes[0][i];
    }
    expect(same / a.layerSpikes[0].length).toBeGreaterThan(0.9);
    expect(Math.abs(na - nb) / nb).toBeLessThan(0.03);
  });

  it('layer read-outs are in [C, H, W] order', () => {
    const spec: NetworkSpec = { inputSize: 4, inputShape: [1, 2, 2], layers: [
      // channel 1 copies the input, channel 0 is silent: spikes must appear at indices 4..7.
      { type: 'conv2d', outChannels: 2, kernelSize: [1, 1], weight: [0, 1] },
      { type: 'if', r: 2000 }] };
    for (const precision of ['int8', 'f32'] as const) {
      const plan = compile(rt, spec, { precision });
      expect(Array.from(plan.step([1, 0, 1, 1]).spikes)).toEqual([0, 0, 0, 0, 1, 0, 1, 1]);
      expect(Array.from(plan.layers[0].spikes())).toEqual([0, 0, 0, 0, 1, 0, 1, 1]);
    }
  });
});

describe('conv validation', () => {
  const rt = Runtime.createSync();
  it('rejects grouped convs, pooling the input, missing inputShape and bad windows with typed errors', () => {
    const base = convNet(1);
    const layers = base.layers;
    expect(() => compile(rt, { ...base, layers: [{ ...layers[0], groups: 2 } as never, ...layers.slice(1)] })).toThrow(/layers\[0\]\.groups/);
    expect(() => compile(rt, { ...base, inputShape: undefined })).toThrow(/conv2d on \[C, H, W\]/);
    expect(() => compile(rt, { ...base, layers: [{ type: 'sumpool2d', kernelSize: [2, 2] }, ...layers] })).toThrow(/pooling the network input/);
    expect(() => compile(rt, { ...base, layers: [{ ...layers[0], kernelSize: [30, 30], weight: new Float32Array(6 * 2 * 900) } as never, ...layers.slice(1)] })).toThrow(/fits/);
    expect(() => compile(rt, { ...base, inputShape: [2, 12, 11] })).toThrow(/inputShape/);
  });
});
