// The real NIR files of ../shared/fixtures/nir (third-party data, read in place; skipped with a
// printed reason when absent): every file loads, simulates and re-exports with the same node
// types, dataset names, dtypes and edges; lif_norse reproduces Norse's reference trace; where a
// graph compiles, the f32 Plan matches the simulator and the int8 Plan's agreement is measured.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import h5wasm from 'h5wasm';
import { describe, expect, it } from 'vitest';
import {
  compile, graphToNetwork, readNir, Runtime, Simulator, simulate, SpikeletError, validateNetwork, writeNir, type Graph,
} from '../src/index.js';

const DIR = fileURLToPath(new URL('../../shared/fixtures/nir/', import.meta.url));
const PRESENT = existsSync(DIR) && existsSync(`${DIR}lif_norse.nir`);
if (!PRESENT) console.log(`nir-fixtures: skipped: ${DIR} is absent (the shared NIR fixtures are not checked out next to the repo)`);
const FILES = PRESENT ? readdirSync(DIR).filter((f) => f.endsWith('.nir')).sort() : [];

/** Per-fixture run settings: dt (NIR stores none) and reset as the exporting framework does it. */
const SETTINGS: Record<string, { dt: number; reset: 'zero' | 'subtract'; T: number }> = {
  'lif_norse.nir': { dt: 1e-4, reset: 'zero', T: 1000 },
  'lif_rockpool.nir': { dt: 1e-4, reset: 'zero', T: 1000 },
  'two_lif_neurons.nir': { dt: 1e-4, reset: 'zero', T: 400 },
  'braille_bias_zero.nir': { dt: 1e-4, reset: 'subtract', T: 256 },
  // Sinabs' IF integrates one input per step (v += x): dt·r = 1.
  'cnn_sinabs.nir': { dt: 1, reset: 'subtract', T: 12 },
};

/** A deterministic input: the refs trace for single-input graphs, else sparse pseudo-random spikes. */
function inputFor(n: number, T: number): Float32Array {
  if (n === 1) {
    const rows = readFileSync(`${DIR}refs/lif_norse.csv`, 'utf8').trim().split('\n');
    return Float32Array.from({ length: T }, (_, t) => Number(rows[t % rows.length].split(',')[0]));
  }
  let s = 12345;
  return Float32Array.from({ length: n * T }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 16) % 100 < 25 ? 1 : 0;
  });
}

function inputSize(g: Graph): number {
  const i = g.nodes.find((n) => n.type === 'Input')!;
  return i.type === 'Input' ? i.shape.reduce((a, b) => a * b, 1) : 0;
}

/** The HDF5 structure that matters for NIR: per node, its type and dataset names with dtypes; the edge set. */
async function structure(bytes: Uint8Array) {
  const { FS } = await h5wasm.ready;
  const path = `/fx-${Math.random().toString(36).slice(2)}.h5`;
  FS!.writeFile(path, bytes);
  const f = new h5wasm.File(path, 'r');
  try {
    const nodes: Record<string, Record<string, string>> = {};
    const walk = (g: InstanceType<typeof h5wasm.Group>, prefix: string): string[] => {
      const ng = g.get('nodes') as InstanceType<typeof h5wasm.Group>;
      for (const name of ng.keys()) {
        const node = ng.get(name) as InstanceType<typeof h5wasm.Group>;
        const rec: Record<string, string> = {};
        for (const k of node.keys()) {
          const e = node.get(k);
          if (e instanceof h5wasm.Dataset) rec[k] = k === 'type' ? String(e.value) : JSON.stringify(e.dtype);
        }
        nodes[prefix + name] = rec;
        if (rec.type === 'NIRGraph') walk(node, `${prefix}${name}.`);
      }
      const edges = (g.get('edges') as InstanceType<typeof h5wasm.Dataset>).value as string[];
      return Array.from({ length: edges.length / 2 }, (_, i) => `${edges[2 * i]} -> ${edges[2 * i + 1]}`).sort();
    };
    const edges = walk(f.get('node') as InstanceType<typeof h5wasm.Group>, '');
    return { nodes, edges };
  } finally {
    f.close();
    FS!.unlink(path);
  }
}

function compiles(g: Graph, dt: number, reset: 'zero' | 'subtract'): { ok: true; spec: ReturnType<typeof graphToNetwork> } | { ok: false; why: string } {
  try {
    const spec = graphToNetwork(g, { dt, reset });
    validateNetwork(spec);
    return { ok: true, spec };
  } catch (e) {
    if (e instanceof SpikeletError && e.code === 'unsupported') return { ok: false, why: e.message };
    throw e;
  }
}

/** int8 vs f32 output spikes `[T, n]`: bitwise agreement, total counts, per-neuron count error, arg-max. */
function agreement(f32: Uint8Array, int8: Uint8Array, T: number) {
  const n = f32.length / T;
  let same = 0, f32Spikes = 0, int8Spikes = 0;
  const cf = new Array<number>(n).fill(0), ci = new Array<number>(n).fill(0);
  for (let i = 0; i < f32.length; i++) {
    same += f32[i] === int8[i] ? 1 : 0;
    f32Spikes += f32[i];
    int8Spikes += int8[i];
    cf[i % n] += f32[i];
    ci[i % n] += int8[i];
  }
  const diff = cf.reduce((s, c, i) => s + Math.abs(c - ci[i]), 0);
  return {
    bitwise: same / f32.length, f32Spikes, int8Spikes, countError: f32Spikes > 0 ? diff / f32Spikes : diff,
    sameArgmax: cf.indexOf(Math.max(...cf)) === ci.indexOf(Math.max(...ci)),
  };
}

describe.skipIf(!PRESENT)('real NIR files', () => {
  it('finds the five fixtures', () => {
    expect(FILES).toEqual(['braille_bias_zero.nir', 'cnn_sinabs.nir', 'lif_norse.nir', 'lif_rockpool.nir', 'two_lif_neurons.nir']);
  });

  for (const file of FILES) {
    it(`${file}: loads, simulates, and re-exports with the same node types, datasets, dtypes and edges`, async () => {
      const bytes = new Uint8Array(readFileSync(DIR + file));
      const g = await readNir(bytes);
      const { dt, reset, T } = SETTINGS[file];
      const r = simulate(g, inputFor(inputSize(g), T), { dt, reset });
      const out = Object.values(r.outputs)[0];
      expect(out.length % T).toBe(0);
      expect(out.every((v) => Number.isFinite(v))).toBe(true);
      const again = await writeNir(g);
      const [a, b] = [await structure(bytes), await structure(again)];
      expect(b).toEqual(a);
      // And the re-export reads back to the same graph behaviour.
      const r2 = simulate(await readNir(again), inputFor(inputSize(g), T), { dt, reset });
      expect(Object.values(r2.outputs)[0]).toEqual(out);
    });
  }

  it('a copy one byte short is named truncated from its superblock (h5py writes version 0 superblocks)', async () => {
    for (const file of FILES) {
      const bytes = new Uint8Array(readFileSync(DIR + file));
      expect(bytes[8]).toBe(0); // superblock version: the v0 layout of src/io/nir/superblock.ts
      const e = await readNir(bytes.subarray(0, bytes.length - 1)).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(SpikeletError);
      expect((e as SpikeletError).code).toBe('bad_file');
      expect((e as SpikeletError).message).toContain(`"${bytes.length - 1} of the ${bytes.length} bytes its superblock records"`);
    }
  });

  it('lif_norse.nir reproduces the Norse reference trace (reset to v_reset = 0, as Norse\'s LIFBox does)', async () => {
    const g = await readNir(readFileSync(`${DIR}lif_norse.nir`), { dt: 1e-4 });
    const rows = readFileSync(`${DIR}refs/lif_norse.csv`, 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
    const sim = new Simulator(g, { reset: 'zero' });
    expect(sim.dt).toBe(1e-4);
    let maxErr = 0;
    const spikes: number[] = [];
    rows.forEach(([x, v, z], t) => {
      const y = sim.step([x]).output[0];
      if (y) spikes.push(t);
      expect(y).toBe(z);
      maxErr = Math.max(maxErr, Math.abs(sim.membrane('1')[0] - v));
    });
    expect(spikes).toEqual([460, 510, 710, 760]);
    expect(maxErr).toBeLessThan(1e-6);
    console.log(`lif_norse vs Norse: identical spike steps ${spikes.join(', ')}; max |Δv| = ${maxErr.toExponential(2)}`);
  });

  for (const file of ['lif_norse.nir', 'lif_rockpool.nir', 'two_lif_neurons.nir', 'braille_bias_zero.nir']) {
    it(`${file}: the compiled f32 Plan matches the simulator; int8 agreement measured`, async () => {
      const g = await readNir(readFileSync(DIR + file));
      const { dt, reset, T } = SETTINGS[file];
      const c = compiles(g, dt, reset);
      expect(c.ok).toBe(true);
      if (!c.ok) return;
      const x = inputFor(inputSize(g), T);
      const sim = simulate(g, x, { dt, reset });
      const want = Object.values(sim.outputs)[0];
      const rt = Runtime.createSync();
      const f32 = compile(rt, c.spec, { precision: 'f32' }).run(x);
      let same = 0;
      for (let i = 0; i < want.length; i++) same += f32.spikes[i] === want[i] ? 1 : 0;
      expect(same / want.length).toBeGreaterThanOrEqual(0.999);
      const int8 = compile(rt, c.spec, { precision: 'int8' }).run(x);
      const a = agreement(f32.spikes, int8.spikes, T);
      console.log(`${file}: f32 Plan vs simulator ${(100 * same / want.length).toFixed(2)}% equal; int8 vs f32: ` +
        `${(100 * a.bitwise).toFixed(2)}% equal (step, neuron) spikes, ${a.int8Spikes} vs ${a.f32Spikes} spikes over ${T} steps, ` +
        `per-neuron counts within ${(100 * a.countError).toFixed(1)}%, arg-max neuron ${a.sameArgmax ? 'equal' : 'differs'}`);
      // Feed-forward single neurons agree exactly; the recurrent braille net diverges in spike
      // timing (chaotic recurrence) but keeps its counts and decision.
      expect(a.bitwise).toBeGreaterThanOrEqual(file === 'braille_bias_zero.nir' ? 0.7 : 1);
      expect(a.countError).toBeLessThanOrEqual(0.1);
      expect(a.sameArgmax).toBe(true);
    });
  }

  it('cnn_sinabs.nir: the f32 Plan (conv2d, IF, sum pooling, flatten) matches the simulator', async () => {
    const g = await readNir(readFileSync(`${DIR}cnn_sinabs.nir`));
    const { dt, reset, T } = SETTINGS['cnn_sinabs.nir'];
    const c = compiles(g, dt, reset);
    expect(c.ok, `compile: ${c.ok ? '' : c.why}`).toBe(true);
    const x = inputFor(inputSize(g), T);
    const want = Object.values(simulate(g, x, { dt, reset }).outputs)[0];
    const got = compile(Runtime.createSync(), c.spec, { precision: 'f32' }).run(x).spikes;
    let same = 0;
    for (let i = 0; i < want.length; i++) same += got[i] === want[i] ? 1 : 0;
    const a = agreement(got, compile(Runtime.createSync(), c.spec, { precision: 'int8', quantization: { inputScale: 1 / 127 } }).run(x).spikes, T);
    console.log(`cnn_sinabs: f32 Plan vs simulator ${(100 * same / want.length).toFixed(2)}% equal output spikes; int8 vs f32: ` +
      `${(100 * a.bitwise).toFixed(2)}% equal, ${a.int8Spikes} vs ${a.f32Spikes} spikes, counts within ${(100 * a.countError).toFixed(1)}%`);
    expect(same / want.length).toBeGreaterThanOrEqual(0.99);
  });
});
