// NIR read/write on self-made files: Graph → NIR → Graph → NIR → Graph equal (every node type,
// nested graphs, recurrent edges, metadata, gzip), and malformed files → typed errors.
import { describe, expect, it } from 'vitest';
import h5wasm from 'h5wasm';
import { createGraph, graphsEqual, readNir, simulate, SpikeletError, writeNir } from '../src/index.js';
import { everyNodeGraph } from './helpers/graphs.js';

describe('NIR round trip (self-made files)', () => {
  it('Graph → NIR → Graph → NIR → Graph is lossless for every node type', async () => {
    const g0 = createGraph(everyNodeGraph());
    const b1 = await writeNir(g0);
    const g1 = await readNir(b1);
    expect(graphsEqual(g0, g1)).toBe(true);
    const g2 = await readNir(await writeNir(g1));
    expect(graphsEqual(g1, g2)).toBe(true);
    expect(g2.metadata.producer).toBe('spikelet tests');
    expect(g2.metadata.dt).toBe(1e-3);
    const lif = g2.nodes.find((n) => n.name === 'lif')!;
    expect(lif.metadata).toEqual({ note: 'per-node metadata' });
    const conv1 = g2.nodes.find((n) => n.name === 'conv1')!;
    expect(conv1.type === 'Conv1d' && conv1.padding).toBe('same');
    // The reread graph runs identically.
    const x = Float32Array.from({ length: 72 * 20 }, (_, i) => ((i * 37) % 11) / 5);
    expect(simulate(g2, x).outputs.out).toEqual(simulate(g0, x).outputs.out);
  });

  it('reads gzip-compressed datasets and writes the NIR layout', async () => {
    const g0 = createGraph(everyNodeGraph());
    const bytes = await writeNir(g0, { compression: 'gzip' });
    expect(graphsEqual(g0, await readNir(bytes))).toBe(true);
    const { FS } = await h5wasm.ready;
    FS!.writeFile('/t.h5', bytes);
    const f = new h5wasm.File('/t.h5', 'r');
    try {
      const ds = f.get('node/nodes/conv/weight') as InstanceType<typeof h5wasm.Dataset>;
      expect(ds.filters.some((x) => x.id === 1)).toBe(true); // deflate
      expect((f.get('node/type') as InstanceType<typeof h5wasm.Dataset>).value).toBe('NIRGraph');
      expect((f.get('node/edges') as InstanceType<typeof h5wasm.Dataset>).shape).toEqual([18, 2]);
      expect((f.get('node/nodes/conv/stride') as InstanceType<typeof h5wasm.Dataset>).dtype).toBe('<q');
      expect((f.get('node/nodes/sub/nodes/li/type') as InstanceType<typeof h5wasm.Dataset>).value).toBe('LI');
    } finally {
      f.close();
      FS!.unlink('/t.h5');
    }
  });
});

async function rejects(p: Promise<unknown>, code: string, field: RegExp): Promise<SpikeletError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SpikeletError);
    expect((e as SpikeletError).code).toBe(code);
    expect((e as SpikeletError).field).toMatch(field);
    return e as SpikeletError;
  }
  throw new Error('expected a SpikeletError');
}

/** Writes an HDF5 file by hand-placing groups and datasets with h5wasm (no spikelet writer). */
async function h5(build: (f: InstanceType<typeof h5wasm.File>) => void): Promise<Uint8Array> {
  const { FS } = await h5wasm.ready;
  const f = new h5wasm.File('/m.h5', 'w');
  build(f);
  f.close();
  const b = FS!.readFile('/m.h5');
  FS!.unlink('/m.h5');
  return b;
}

function minimal(f: InstanceType<typeof h5wasm.File>, lif: (g: InstanceType<typeof h5wasm.Group>) => void, edges = ['in', 'lif', 'lif', 'out']) {
  f.create_dataset({ name: 'version', data: '0.2.0' });
  const root = f.create_group('node');
  root.create_dataset({ name: 'type', data: 'NIRGraph' });
  const nodes = root.create_group('nodes');
  const i = nodes.create_group('in');
  i.create_dataset({ name: 'type', data: 'Input' });
  i.create_dataset({ name: 'shape', data: BigInt64Array.of(1n) });
  const o = nodes.create_group('out');
  o.create_dataset({ name: 'type', data: 'Output' });
  o.create_dataset({ name: 'shape', data: BigInt64Array.of(1n) });
  lif(nodes.create_group('lif'));
  root.create_dataset({ name: 'edges', data: edges, shape: [edges.length / 2, 2] });
}

describe('malformed NIR files', () => {
  it('accepts float64 / int64 / 0-d parameters and a missing v_reset', async () => {
    const g = await readNir(await h5((f) => minimal(f, (l) => {
      l.create_dataset({ name: 'type', data: 'LIF' });
      l.create_dataset({ name: 'tau', data: Float64Array.of(0.01), shape: [] });
      l.create_dataset({ name: 'r', data: BigInt64Array.of(1n), shape: [1] });
      l.create_dataset({ name: 'v_leak', data: Float64Array.of(0) });
      l.create_dataset({ name: 'v_threshold', data: Float32Array.of(1) });
    })));
    const lif = g.nodes.find((n) => n.name === 'lif')!;
    expect(lif.dtypes).toEqual({ tau: 'float64', r: 'int64', v_leak: 'float64', v_threshold: 'float32' });
    expect(lif.type === 'LIF' && lif.vReset).toBeUndefined();
  });

  it('not HDF5, truncated → bad_file', async () => {
    await rejects(readNir(new TextEncoder().encode('hello, not a NIR file')), 'bad_file', /^file$/);
    const good = await writeNir(createGraph(everyNodeGraph()));
    // Caught from the superblock's end-of-file address before HDF5 opens the file: the message
    // says how much is missing (HDF5 itself would print its error stack and report no groups).
    const cut = await rejects(readNir(good.slice(0, 600)), 'bad_file', /^file$/);
    expect(cut.message).toContain(`"600 of the ${good.length} bytes its superblock records"`);
    expect((await rejects(readNir(good.slice(0, good.length - 1)), 'bad_file', /^file$/)).message).toContain(`of the ${good.length} bytes`);
    expect((await rejects(readNir(good.slice(0, 20)), 'bad_file', /^file$/)).message).toContain('cut inside the superblock');
    // A longer buffer (trailing bytes) is not truncated, and HDF5 reads it.
    const padded = new Uint8Array(good.length + 100);
    padded.set(good);
    expect(graphsEqual(await readNir(padded), await readNir(good))).toBe(true);
  });

  it('missing groups, missing type, wrong dataset types and unknown types name the node and field', async () => {
    await rejects(readNir(await h5((f) => f.create_dataset({ name: 'version', data: '1' }))), 'bad_file', /^node$/);
    await rejects(readNir(await h5((f) => minimal(f, (l) => l.create_dataset({ name: 'tau', data: Float32Array.of(1) })))),
      'bad_file', /^nodes\.lif\.type$/);
    await rejects(readNir(await h5((f) => minimal(f, (l) => {
      l.create_dataset({ name: 'type', data: 'LIF' });
      l.create_dataset({ name: 'tau', data: 'ten milliseconds' });
      l.create_dataset({ name: 'v_threshold', data: Float32Array.of(1) });
    }))), 'bad_file', /^nodes\.lif\.tau$/);
    await rejects(readNir(await h5((f) => minimal(f, (l) => l.create_dataset({ name: 'type', data: 'Hodgkin-Huxley' })))),
      'unsupported', /^nodes\.lif\.type$/);
    await rejects(readNir(await h5((f) => minimal(f, (l) => {
      l.create_dataset({ name: 'type', data: 'LIF' });
      l.create_dataset({ name: 'tau', data: Float32Array.of(0.01) });
    }))), 'invalid_param', /^nodes\.lif\.v_threshold$/);
  });

  it('absurd shapes and stateless cycles are rejected', async () => {
    await rejects(readNir(await h5((f) => minimal(f, (l) => {
      l.create_dataset({ name: 'type', data: 'LIF' });
      l.create_dataset({ name: 'tau', data: Float32Array.of(0.01, 0.01, 0.01) });
      l.create_dataset({ name: 'v_threshold', data: Float32Array.of(1) });
    }))), 'shape_mismatch', /^nodes\.(lif\.tau\.shape|out\.shape)$/);
    await rejects(readNir(await h5((f) => minimal(f, (l) => {
      l.create_dataset({ name: 'type', data: 'Linear' });
      l.create_dataset({ name: 'weight', data: Float32Array.of(1), shape: [1, 1] });
    }, ['in', 'lif', 'lif', 'lif', 'lif', 'out']))), 'invalid_param', /^edges$/);
  });
});
