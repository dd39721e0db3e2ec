// The .spk container: bit-exact round trips of float graphs and quantized networks, tensors as
// zero-copy views onto the file, and damaged / newer files → typed errors.
import { describe, expect, it } from 'vitest';
import {
  createGraph, crc32, graphsEqual, graphToNetwork, networkSkeleton, quantizeNetwork, readSpk, SpikeletError, SPK_VERSION, validateNetwork,
  writeSpk, type GraphInit,
} from '../src/index.js';
import { everyNodeGraph } from './helpers/graphs.js';

const recurrent = (): GraphInit => ({
  nodes: [
    { name: 'in', type: 'Input', shape: [3] },
    { name: 'fc', type: 'Affine', weight: [[0.5, -0.25, 1], [0.1, 0.2, 0.3]], bias: [0.01, -0.02] },
    { name: 'lif', type: 'LIF', tau: [0.01, 0.02], r: 1, vLeak: 0, vThreshold: 0.5, reset: 'subtract' },
    { name: 'rec', type: 'Linear', weight: [[0, 0.3], [-0.3, 0]] },
    { name: 'out', type: 'Output', shape: [2] },
  ],
  edges: [['in', 'fc'], ['fc', 'lif'], ['lif', 'rec'], ['rec', 'lif'], ['lif', 'out']],
  metadata: { dt: 1e-3 },
});

function expectError(f: () => unknown, code: string, field: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SpikeletError);
    expect((e as SpikeletError).code).toBe(code);
    expect((e as SpikeletError).field).toMatch(field);
    return;
  }
  throw new Error('expected a SpikeletError');
}

describe('.spk', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips a float graph bit for bit, with tensors viewing the file buffer', () => {
    const g = createGraph(everyNodeGraph());
    const bytes = writeSpk(g, { metadata: { task: 'test' } });
    expect(bytes.length % 16).toBe(4); // 16-aligned tensor section, then the CRC
    const m = readSpk(bytes);
    expect(m.kind).toBe('graph');
    if (m.kind !== 'graph') return;
    expect(graphsEqual(g, m.graph)).toBe(true);
    expect(m.metadata).toEqual({ task: 'test' });
    const conv = m.graph.nodes.find((n) => n.name === 'conv')!;
    if (conv.type !== 'Conv2d') throw new Error('conv');
    expect(conv.weight.data.buffer).toBe(bytes.buffer); // no second copy
    expect(conv.weight.data.byteOffset % 16).toBe(0);
    // Writing what was read gives the same bytes.
    expect(writeSpk(m.graph, { metadata: { task: 'test' } })).toEqual(bytes);
  });

  it('copies instead of viewing when the bytes sit unaligned in their buffer', () => {
    const bytes = writeSpk(createGraph(recurrent()));
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const m = readSpk(shifted.subarray(3));
    if (m.kind !== 'graph') throw new Error('kind');
    expect(graphsEqual(m.graph, createGraph(recurrent()))).toBe(true);
  });

  it('round-trips a quantized network exactly (int8 weights, int32 multipliers, int16 constants)', () => {
    const g = createGraph(recurrent());
    const q = quantizeNetwork(validateNetwork(graphToNetwork(g)));
    const bytes = writeSpk(q, { source: g, network: networkSkeleton(graphToNetwork(g)) });
    const m = readSpk(bytes);
    expect(m.kind).toBe('quantized');
    if (m.kind !== 'quantized') return;
    expect(m.quantized.blocks[0].weight).toBeInstanceOf(Int8Array);
    expect(m.quantized.blocks[0].m1).toBeInstanceOf(Int32Array);
    expect(m.quantized.blocks[0].decayQ15).toBeInstanceOf(Int16Array);
    expect(m.quantized).toEqual(q);
    expect(m.topology?.nodes.map((n) => n.type)).toEqual(['Input', 'Affine', 'LIF', 'Linear', 'Output']);
    expect(m.network?.layers.map((l) => l.type)).toEqual(['linear', 'lif']);
    expect(m.network?.layers[1]).toMatchObject({ recurrent: true, reset: 'subtract' });
  });

  it('rejects damaged files with bad_file and newer versions with unsupported', () => {
    const bytes = writeSpk(createGraph(recurrent()));
    expectError(() => readSpk(bytes.slice(0, bytes.length - 10)), 'bad_file', /file\.length/);
    expectError(() => readSpk(bytes.slice(0, 12)), 'bad_file', /magic/);
    const flipped = bytes.slice();
    flipped[bytes.length - 20] ^= 0xff;
    expectError(() => readSpk(flipped), 'bad_file', /crc32/);
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint32(8, SPK_VERSION + 1, true);
    expectError(() => readSpk(newer), 'unsupported', /^version$/);
    expectError(() => readSpk(new TextEncoder().encode('definitely not a model file')), 'bad_file', /magic/);
  });

  it('validates the graph it decodes (wrong types, missing fields → errors naming the node)', () => {
    const bytes = writeSpk(createGraph(recurrent()));
    // Rewrite the header's LIF tau reference into a string, fixing up the CRC: the reader must still refuse it.
    const text = new TextDecoder().decode(bytes);
    const i = text.indexOf('"tau":{"$tensor":');
    expect(i).toBeGreaterThan(0);
    const bad = bytes.slice();
    bad.set(new TextEncoder().encode('"tau":"ten ms"    '), i);
    const end = text.indexOf('}', i + 7) + 1;
    bad.fill(0x20, i + 18, end);
    new DataView(bad.buffer).setUint32(bad.length - 4, crc32(bad.subarray(0, bad.length - 4)), true);
    expectError(() => readSpk(bad), 'invalid_param', /^nodes\.lif\.tau/);
  });
});
