// NIR round trip: build a small recurrent spiking graph, write it as a NIR (HDF5) file, read it
// back, simulate it, compile it to f32 and int8 Plans, and store it as .spk (float and quantized).
// Runs without any external files: `node examples/nir-roundtrip.mjs`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compile, createGraph, graphsEqual, graphToNetwork, quantizeNetwork, readNir, readSpk, Runtime, simulate,
  validateNetwork, writeNir, writeSpk,
} from 'spikelet';

const n = 16;
const weight = (rows, cols, scale) => Array.from({ length: rows }, (_, r) =>
  Array.from({ length: cols }, (_, c) => scale * Math.sin(1 + r * 3.1 + c * 1.7)));

// Input → Affine → CubaLIF (with a recurrent Linear back onto itself) → Affine → LIF → Output.
const graph = createGraph({
  nodes: [
    { name: 'input', type: 'Input', shape: [4] },
    { name: 'fc1', type: 'Affine', weight: weight(n, 4, 3), bias: new Array(n).fill(0.5) },
    { name: 'cell', type: 'CubaLIF', tauSyn: 0.002, tauMem: 0.005, r: 1, vLeak: 0, vThreshold: 1 },
    { name: 'cell.rec', type: 'Linear', weight: weight(n, n, 0.3) },
    { name: 'fc2', type: 'Affine', weight: weight(3, n, 2), bias: [0.2, 0.2, 0.2] },
    { name: 'out', type: 'LIF', tau: 0.01, r: 1, vLeak: 0, vThreshold: 0.5 },
    { name: 'output', type: 'Output', shape: [3] },
  ],
  edges: [['input', 'fc1'], ['fc1', 'cell'], ['cell', 'cell.rec'], ['cell.rec', 'cell'], ['cell', 'fc2'], ['fc2', 'out'], ['out', 'output']],
  metadata: { dt: 1e-3 },
});

const dir = mkdtempSync(join(tmpdir(), 'spikelet-nir-'));
const nirPath = join(dir, 'model.nir');
writeFileSync(nirPath, await writeNir(graph));
const back = await readNir(readFileSync(nirPath));
console.log(`wrote ${nirPath}; read back ${back.nodes.length} nodes, ${back.edges.length} edges; equal: ${graphsEqual(graph, back)}`);

// 200 steps of a slow sine on 4 inputs.
const T = 200;
const x = Float32Array.from({ length: T * 4 }, (_, i) => 0.5 + 0.5 * Math.sin((i >> 2) / 10 + (i & 3)));
const sim = simulate(back, x, { reset: 'zero' });
const count = (a) => a.reduce((s, v) => s + v, 0);
console.log(`simulator: ${count(sim.outputs.output)} output spikes over ${T} steps (dt ${back.metadata.dt} s)`);

const spec = graphToNetwork(back, { reset: 'zero' });
const rt = await Runtime.create();
const f32 = compile(rt, spec, { precision: 'f32' }).run(x);
const int8 = compile(rt, spec, { precision: 'int8' }).run(x);
let same = 0;
for (let i = 0; i < f32.spikes.length; i++) same += f32.spikes[i] === int8.spikes[i] ? 1 : 0;
console.log(`f32 plan: ${count(f32.spikes)} spikes; int8 plan: ${count(int8.spikes)} spikes; ` +
  `int8 vs f32 agreement ${(100 * same / f32.spikes.length).toFixed(1)}%`);

const floatSpk = writeSpk(back);
const quantSpk = writeSpk(quantizeNetwork(validateNetwork(spec)), { source: back });
writeFileSync(join(dir, 'model.spk'), floatSpk);
writeFileSync(join(dir, 'model.int8.spk'), quantSpk);
const loaded = readSpk(floatSpk);
console.log(`.spk: float ${floatSpk.length} bytes (round trip equal: ${loaded.kind === 'graph' && graphsEqual(back, loaded.graph)}), ` +
  `int8 ${quantSpk.length} bytes (${readSpk(quantSpk).kind})`);
rmSync(dir, { recursive: true, force: true });
