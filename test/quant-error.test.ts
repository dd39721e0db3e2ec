// The error the float → integer conversion introduces, measured on random networks and inputs.
// These bounds are stated in the README (section "Integer model"); if a change moves them,
// update both.
import { describe, expect, it } from 'vitest';
import { Runtime, compile } from '../src/index.js';
import { randomNet } from './helpers/nets.js';
import { floats, rng, spikes } from './helpers/random.js';

const rt = Runtime.createSync();

function agreement(a: Uint8Array, b: Uint8Array) {
  let same = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    same += a[i] === b[i] ? 1 : 0;
    na += a[i];
    nb += b[i];
  }
  return { bits: same / a.length, countError: Math.abs(na - nb) / Math.max(nb, 1) };
}

describe('int8 vs f32 spike agreement', () => {
  const rows: { seed: number; recurrent: boolean; l0: number; l1: number; count: number; argmax: number }[] = [];
  it.each([1, 2, 3].flatMap((seed) => [false, true].map((recurrent) => ({ seed, recurrent }))))('seed $seed recurrent $recurrent', ({ seed, recurrent }) => {
    const r = rng(seed);
    const spec = randomNet(r, { sizes: [40, 64, 32, 10], cells: ['lif', 'lif', 'li'], recurrent: [recurrent, false, false] });
    const B = 8, T = 200;
    const x = spikes(r, T * B * 40, 0.2);
    const a = compile(rt, spec, { precision: 'int8', batch: B }).run(x);
    const b = compile(rt, spec, { precision: 'f32', batch: B }).run(x);
    const g0 = agreement(a.layerSpikes[0], b.layerSpikes[0]);
    const g1 = agreement(a.layerSpikes[1], b.layerSpikes[1]);
    let argmax = 0;
    for (let s = 0; s < B; s++) {
      const sa = new Float64Array(10), sb = new Float64Array(10);
      for (let t = 0; t < T; t++) for (let o = 0; o < 10; o++) {
        sa[o] += a.membrane[(t * B + s) * 10 + o];
        sb[o] += b.membrane[(t * B + s) * 10 + o];
      }
      argmax += sa.indexOf(Math.max(...sa)) === sb.indexOf(Math.max(...sb)) ? 1 : 0;
    }
    rows.push({ seed, recurrent, l0: g0.bits, l1: g1.bits, count: Math.max(g0.countError, g1.countError), argmax: argmax / B });
    // Spike-by-spike agreement; recurrence lets a single flipped spike echo, hence the lower floor.
    expect(g0.bits).toBeGreaterThan(recurrent ? 0.955 : 0.985);
    expect(g1.bits).toBeGreaterThan(0.9);
    // Firing rates agree closely even where individual spike times differ.
    expect(g0.countError).toBeLessThan(0.01);
    expect(g1.countError).toBeLessThan(0.02);
  });
  it('readout decisions agree on ≥ 85 % of samples overall', () => {
    const mean = rows.reduce((s, r) => s + r.argmax, 0) / rows.length;
    expect(rows.length).toBe(6);
    expect(mean).toBeGreaterThanOrEqual(0.85);
  });
});

describe('quantization error of a leaky readout alone', () => {
  it('Linear → LI: membrane within 1 % of its range of the f32 model', () => {
    const r = rng(21);
    const spec = { inputSize: 40, layers: [{ type: 'linear' as const, outFeatures: 10, weight: floats(r, 400, 1) }, { type: 'li' as const, tau: 0.02 }] };
    const x = spikes(r, 300 * 40, 0.2);
    const a = compile(rt, spec, { precision: 'int8' }).run(x).membrane;
    const b = compile(rt, spec, { precision: 'f32' }).run(x).membrane;
    let err = 0, range = 0;
    for (let i = 0; i < a.length; i++) {
      err = Math.max(err, Math.abs(a[i] - b[i]));
      range = Math.max(range, Math.abs(b[i]));
    }
    expect(err / range).toBeLessThan(0.01);
  });
});
