// Bad input gets a typed SpikeletError naming the field, the value and what was expected, and
// the Runtime (and any plan on it) stays usable afterwards.
import { describe, expect, it } from 'vitest';
import { Runtime, SpikeletError, compile, type NetworkSpec } from '../src/index.js';
import { randomNet } from './helpers/nets.js';
import { rng, spikes } from './helpers/random.js';

const good = randomNet(rng(11), { sizes: [6, 16, 4], cells: ['lif', 'li'], recurrent: [true, false] });

function withLayer(i: number, patch: Record<string, unknown>): NetworkSpec {
  return { ...good, layers: good.layers.map((l, k) => (k === i ? { ...l, ...patch } : l)) as NetworkSpec['layers'] };
}

function expectError(fn: () => unknown, fields: Partial<SpikeletError>, message?: RegExp) {
  let caught: unknown;
  try { fn(); } catch (e) { caught = e; }
  expect(caught, 'an error was thrown').toBeInstanceOf(SpikeletError);
  expect(caught).toMatchObject(fields);
  if (message) expect((caught as Error).message).toMatch(message);
}

describe('compile rejects bad networks with typed errors', () => {
  const rt = Runtime.createSync();
  it('negative tau', () => expectError(() => compile(rt, withLayer(1, { tau: -0.002 })),
    { code: 'invalid_param', field: 'layers[1].tau', received: -0.002 }, /layers\[1\]\.tau: expected a finite number >= dt \(0\.001 s\) but received -0\.002/));
  it('tau shorter than dt', () => expectError(() => compile(rt, withLayer(1, { tau: 0.0005 })), { field: 'layers[1].tau', received: 0.0005 }));
  it('zero threshold', () => expectError(() => compile(rt, withLayer(1, { vThreshold: 0 })), { field: 'layers[1].vThreshold', received: 0 }, /> 0/));
  it('per-neuron threshold with a bad element', () => expectError(() => compile(rt, withLayer(1, { vThreshold: Array.from({ length: 16 }, (_, i) => (i === 5 ? -1 : 1)) })), { field: 'layers[1].vThreshold[5]', received: -1 }));
  it('unknown layer type', () => expectError(() => compile(rt, withLayer(1, { type: 'hodgkin-huxley' })),
    { code: 'unsupported', field: 'layers[1].type', received: 'hodgkin-huxley' }, /one of lif, cubalif, if, li/));
  it('NaN weight', () => {
    const w = Float32Array.from(good.layers[0].type === 'linear' ? good.layers[0].weight : []);
    w[7] = NaN;
    expectError(() => compile(rt, withLayer(0, { weight: w })), { field: 'layers[0].weight[7]' });
  });
  it('weight of the wrong size', () => expectError(() => compile(rt, withLayer(0, { weight: new Float32Array(5) })),
    { code: 'shape_mismatch', field: 'layers[0].weight.length', expected: '96', received: 5 }));
  it('recurrent matrix of the wrong size', () => expectError(() => compile(rt, withLayer(1, { recurrent: new Float32Array(10) })), { field: 'layers[1].recurrent.length' }));
  it('reset mode', () => expectError(() => compile(rt, withLayer(1, { reset: 'sideways' })), { field: 'layers[1].reset', received: 'sideways' }));
  it('dt', () => expectError(() => compile(rt, { ...good, dt: 0 }), { field: 'dt', received: 0 }));
  it('batch', () => expectError(() => compile(rt, good, { batch: 0 }), { field: 'batch', received: 0 }));
  it('precision', () => expectError(() => compile(rt, good, { precision: 'int4' as never }), { field: 'precision', received: 'int4' }));
  it('input scale', () => expectError(() => compile(rt, good, { quantization: { inputScale: -1 } }), { field: 'inputScale', received: -1 }));
  it('li in the middle', () => expectError(() => compile(rt, { inputSize: 2, layers: [
    { type: 'linear', outFeatures: 2, weight: [1, 0, 0, 1] }, { type: 'li', tau: 0.01 },
    { type: 'linear', outFeatures: 1, weight: [1, 1] }, { type: 'lif', tau: 0.01 }] }), { field: 'layers[1].type' }));
  it('missing cell after a Linear layer', () => expectError(() => compile(rt, { inputSize: 6, layers: [good.layers[0]] }), { field: 'layers[1]' }));
});

describe('Plan.step / Plan.run reject bad input and stay usable', () => {
  it.each(['int8', 'f32'] as const)('%s', (precision) => {
    const rt = Runtime.createSync();
    const p = compile(rt, good, { precision, batch: 2 });
    const x = spikes(rng(12), 20 * 2 * 6, 0.4);
    const before = p.run(x);
    p.reset();
    expectError(() => p.step(new Float32Array(5)), { code: 'shape_mismatch', field: 'input.length', received: 5 }, /12 \(batch 2 × 6 inputs\)/);
    expectError(() => p.step(Float32Array.from({ length: 12 }, (_, i) => (i === 3 ? NaN : 0))), { field: 'input[3]' });
    expectError(() => p.run(new Float32Array(13)), { field: 'input.length', received: 13 });
    expectError(() => p.run(new Float32Array(0)), { field: 'input.length', received: 0 });
    expectError(() => p.step('hello' as never), { field: 'input' });
    expectError(() => p.run([1, 2, Infinity, ...new Array(9).fill(0)]), { field: 'input[2]' });
    const after = p.run(x);
    expect(Array.from(after.membrane)).toEqual(Array.from(before.membrane));
    // A new plan on the same runtime still compiles and runs.
    expect(compile(rt, good, { precision }).run(spikes(rng(1), 6 * 3, 0.5)).steps).toBe(3);
  });
});

describe('a long run with a bad value late in the sequence', () => {
  it('is rejected before any step runs (state untouched)', () => {
    const rt = Runtime.createSync();
    const p = compile(rt, good, { chunkBytes: 4096 }); // forces many chunks
    const q = compile(rt, good, { chunkBytes: 4096 });
    const x = spikes(rng(13), 500 * 6, 0.4);
    x[499 * 6 + 2] = NaN;
    expectError(() => p.run(x), { field: `input[${499 * 6 + 2}]` });
    x[499 * 6 + 2] = 0;
    expect(Array.from(p.run(x).membrane)).toEqual(Array.from(q.run(x).membrane));
  });
});
