// The wasm int8 Plan equals the TypeScript scalar reference of the integer model (no wasm) bit
// for bit: random networks of ≥ 3 layers with recurrence, 1000 steps, batch ≠ T, and inputs
// and weights large enough to drive the int16 state into saturation.
import { describe, expect, it } from 'vitest';
import { Runtime, compile, IntegerReference } from '../src/index.js';
import { randomNet, type RandomNetOptions } from './helpers/nets.js';
import { rng, floats, spikes } from './helpers/random.js';

const CONFIGS: (RandomNetOptions & { name: string; analog?: boolean })[] = [
  { name: 'lif-rec/cubalif/li', sizes: [20, 40, 30, 10], cells: ['lif', 'cubalif', 'li'], recurrent: [true, false, false] },
  { name: 'if/lif-rec/lif, zero reset, refractory', sizes: [12, 33, 17, 5], cells: ['if', 'lif', 'lif'], recurrent: [false, true, false], reset: 'zero', refractory: 0.002 },
  { name: 'shift leak, recurrent cubalif', sizes: [16, 24, 24, 8], cells: ['lif', 'cubalif', 'lif'], recurrent: [false, true, true], leak: 'shift' },
  { name: 'saturating drive, analog input', sizes: [9, 50, 20, 4], cells: ['lif', 'lif', 'li'], recurrent: [true, true, false], drive: 40, analog: true },
];

describe('int8 Plan vs IntegerReference (bit for bit)', () => {
  const rt = Runtime.createSync();
  it.each(CONFIGS)('$name', (cfg) => {
    const seed = cfg.sizes.reduce((a, b) => a * 31 + b, 7);
    const r = rng(seed);
    const spec = randomNet(r, cfg);
    const B = 3, T = 1000;
    const inputs = cfg.analog ? floats(r, T * B * cfg.sizes[0], 3) : spikes(r, T * B * cfg.sizes[0], 0.3);
    const plan = compile(rt, spec, { precision: 'int8', batch: B, quantization: { inputScale: 1 / 64 } });
    const got = plan.run(inputs);
    const ref = new IntegerReference(plan.quantized!, B);
    const per = B * cfg.sizes[0];
    for (let t = 0; t < T; t++) {
      const want = ref.step(inputs.subarray(t * per, (t + 1) * per));
      want.forEach((w, l) => {
        const g = got.layerSpikes[l].subarray(t * w.length, (t + 1) * w.length);
        for (let i = 0; i < w.length; i++) {
          if (g[i] !== w[i]) expect.fail(`layer ${l} step ${t} element ${i}: wasm ${g[i]} vs reference ${w[i]} (seed ${seed})`);
        }
      });
      const last = plan.quantized!.blocks.length - 1;
      const m = ref.membrane(last);
      const gm = got.membrane.subarray(t * m.length, (t + 1) * m.length);
      const unit = plan.quantized!.blocks[last].unit;
      for (let i = 0; i < m.length; i++) {
        if (Math.fround(m[i] * Math.fround(unit[i % unit.length])) !== gm[i]) expect.fail(`membrane step ${t} element ${i} (seed ${seed})`);
      }
    }
    const total = got.layerSpikes.map((s) => s.reduce((a, b) => a + b, 0));
    expect(total.slice(0, -1).every((x) => x > 0), `every spiking layer spikes: ${total}`).toBe(true);
    if (cfg.drive) expect(ref.saturations, 'this configuration drives the int16 state into saturation').toBeGreaterThan(1000);
  });
});

describe('spike input encoding', () => {
  it('int8 plan with input "spikes" equals the reference bit for bit, and f32 sees the same 0/1 inputs', () => {
    const rt = Runtime.createSync();
    const r = rng(77);
    const spec = randomNet(r, { sizes: [30, 40, 12, 5], cells: ['lif', 'lif', 'li'], recurrent: [true, false, false] });
    const B = 2, T = 200;
    // Any nonzero value is a spike: mix 1s with other nonzero values.
    const x = Float32Array.from({ length: T * B * 30 }, () => (r() < 0.2 ? (r() < 0.5 ? 1 : 0.3) : 0));
    const plan = compile(rt, spec, { batch: B, input: 'spikes' });
    const got = plan.run(x);
    const ref = new IntegerReference(plan.quantized!, B);
    for (let t = 0; t < T; t++) {
      const want = ref.step(x.subarray(t * B * 30, (t + 1) * B * 30));
      want.forEach((w, l) => {
        const g = got.layerSpikes[l].subarray(t * w.length, (t + 1) * w.length);
        for (let i = 0; i < w.length; i++) if (g[i] !== w[i]) expect.fail(`layer ${l} step ${t} element ${i}`);
      });
    }
    const bin = x.map((v) => (v !== 0 ? 1 : 0));
    const f1 = compile(rt, spec, { batch: B, precision: 'f32', input: 'spikes' }).run(x);
    const f2 = compile(rt, spec, { batch: B, precision: 'f32' }).run(bin);
    expect(Array.from(f1.membrane)).toEqual(Array.from(f2.membrane));
  });
});
