#!/usr/bin/env node
// Diagnostic probe (not run by run-all): what bounds the ES CartPole hidden loop? Compiles
// bench/probes/es-hidden.ts (copies of the loop with parts removed or swapped) with asc into a
// temporary directory, then times each variant (H = 32 neurons, one 4-lane group, records hot in
// L1) and prints ns per neuron and ns per vector instruction (loads and stores included).
// Seen on AMD EPYC Zen 4: ~0.09 ns per vector instruction whatever its kind (float add, xor, load),
// i.e. ~3 per cycle at 3.6 GHz — the loop is bound by how many there are (docs/es.md, Throughput).
//   node bench/kernel-probe-es-hidden.mjs [--reps 15]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from './lib/machine.mjs';
import { repsOption } from './lib/cli.mjs';

const REPS = repsOption(15);
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'spikelet-probe-'));
const out = join(dir, 'es-hidden.wasm');
execFileSync(process.execPath, [join(root, 'node_modules/assemblyscript/bin/asc.js'), join(root, 'bench/probes/es-hidden.ts'),
  '--enable', 'simd', '--runtime', 'stub', '-O3', '--noAssert', '--importMemory', '--initialMemory', '4', '-o', out],
  { stdio: 'inherit', cwd: dir }); // cwd: not the project's asconfig.json
const memory = new WebAssembly.Memory({ initial: 4 });
const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), { env: { memory, abort() {} } }).exports;
rmSync(dir, { recursive: true, force: true });

const f32 = new Float32Array(memory.buffer);
for (let i = 0; i < f32.length; i++) f32[i] = Math.sin(i) * 0.5; // spikes in about half the lanes
const G = 65536, XS = 1024, H = 32, CALLS = 20000;
const variants = [
  [0, 'full loop', 26], [1, 'no readout', 20], [2, 'no membrane store', 23],
  [3, 'readout sums as xor', 26], [4, 'dot-product sums as xor', 26], [5, 'loads only (xor-folded)', 16],
];
for (const [v] of variants) ex.run(G, H, XS, CALLS, v); // TurboFan tier-up
const best = new Map();
for (let r = 0; r < REPS; r++) {
  for (const [v] of variants) {
    const t0 = performance.now();
    ex.run(G, H, XS, CALLS, v);
    const ns = ((performance.now() - t0) * 1e6) / (CALLS * H);
    best.set(v, Math.min(best.get(v) ?? Infinity, ns));
  }
}
console.log(`ES hidden loop, one neuron of one 4-lane group (best of ${REPS}); ${machineLine()}`);
for (const [v, name, ops] of variants) {
  const ns = best.get(v);
  console.log(`${name.padEnd(26)} ${ns.toFixed(3)} ns/neuron  ${ops} vector instr  ${(ns / ops).toFixed(3)} ns/instr`);
}
