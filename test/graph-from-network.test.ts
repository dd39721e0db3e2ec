// NetworkSpec → Graph → NIR bytes → Graph → NetworkSpec keeps the network: the recompiled plan
// produces the same spikes, for feed-forward, recurrent and convolutional networks.
import { describe, expect, it } from 'vitest';
import { Runtime, compile, graphToNetwork, networkToGraph, readNir, writeNir, type NetworkSpec } from '../src/index.js';
import { randomNet } from './helpers/nets.js';
import { floats, rng, spikes } from './helpers/random.js';

const rt = Runtime.createSync();

/** The spec as a Graph holds it (float32 parameters), and the same after a trip through NIR. */
async function roundTrip(original: NetworkSpec): Promise<[NetworkSpec, NetworkSpec]> {
  const graph = networkToGraph(original, { producer: 'test' });
  const bytes = await writeNir(graph);
  return [graphToNetwork(graph), graphToNetwork(await readNir(bytes, { dt: original.dt }))];
}

describe('networkToGraph', () => {
  it('recurrent LIF / CuBaLIF / LI network survives NIR', async () => {
    const original = randomNet(rng(3), { sizes: [12, 20, 10, 4], cells: ['lif', 'cubalif', 'li'], recurrent: [true, true, false] });
    const [spec, back] = await roundTrip(original);
    expect(back.layers.map((l) => ('reset' in l ? l.reset : undefined))).toEqual(original.layers.map((l) => ('reset' in l ? l.reset ?? 'subtract' : undefined)).map((r, i) => (original.layers[i].type === 'li' ? undefined : r)));
    expect(back.layers.filter((l) => 'recurrent' in l && l.recurrent).length).toBe(2);
    const x = spikes(rng(4), 50 * 12, 0.3);
    const a = compile(rt, spec).run(x), b = compile(rt, back).run(x);
    a.layerSpikes.forEach((s, l) => expect(Array.from(b.layerSpikes[l])).toEqual(Array.from(s)));
    expect(a.layerSpikes[0].some((v) => v)).toBe(true);
  });

  it('conv network survives NIR', async () => {
    const r = rng(5);
    const original: NetworkSpec = { inputSize: 64, inputShape: [1, 8, 8], dt: 1e-3, layers: [
      { type: 'conv2d', outChannels: 4, kernelSize: [3, 3], padding: [1, 1], weight: floats(r, 36, 3) },
      { type: 'if', r: 1000 },
      { type: 'sumpool2d', kernelSize: [2, 2] },
      { type: 'flatten' },
      { type: 'linear', outFeatures: 5, weight: floats(r, 5 * 64, 1) },
      { type: 'lif', tau: 0.005 }] };
    const [spec, back] = await roundTrip(original);
    const x = spikes(rng(6), 20 * 64, 0.4);
    const a = compile(rt, spec, { precision: 'f32' }).run(x), b = compile(rt, back, { precision: 'f32' }).run(x);
    expect(Array.from(b.layerSpikes[0])).toEqual(Array.from(a.layerSpikes[0]));
    expect(Array.from(b.membrane)).toEqual(Array.from(a.membrane));
  });
});
