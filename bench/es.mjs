#!/usr/bin/env node
// ES fitness evaluation throughput: population evaluations per second — population 256, one
// CartPole-v1 episode of exactly 500 steps per member (termination ignored, so every
// implementation does the same fixed work whatever the weights), policy 4→32 LIF→2 LI, f32.
// Compared in one process, interleaved and probe-filtered (bench/lib/timing.mjs):
//   plain-js: evaluateJs, the same algorithm one member and one neuron at a time in plain
//             JavaScript in this thread (noise generation, network, environment — bit-equal);
//   w1, w2:   es_eval_f32 in 1 and 2 worker threads (members split in contiguous slices).
// Each call includes regenerating the 256 members' parameters from seeds and sending the mean.
// Usage: node bench/es.mjs [--json] [--quick]
import { parseArgs } from './lib/cli.mjs';
import { makeProbe, warmUp, measureInterleaved, callsFor, pairedRatio } from './lib/timing.mjs';
import { machineLine } from './lib/machine.mjs';
import { WorkerEvaluator, evaluateJs, makePolicy, noiseVector } from '../dist/index.js';

const opts = parseArgs();
const log = (s) => process.stderr.write(s + '\n');
const pol = makePolicy('CartPole-v1', { hidden: 32 });
const P = 256;
const mean = noiseVector(1, 0, 0, pol.dims);
const job = {
  env: pol.env.wasmId, inN: pol.inN, hidden: pol.hidden, outN: pol.outN, dims: pol.dims, episodes: 1, maxSteps: 500,
  first: 0, count: P, antithetic: true, seed: 7, generation: 0, resetGeneration: 0, source: 0, ignoreTermination: true,
  mean, sigma: new Float64Array(pol.dims).fill(0.5), consts: pol.consts,
};
const w1 = await WorkerEvaluator.create(1), w2 = await WorkerEvaluator.create(2);
const ref = evaluateJs(job);
for (const [name, ev] of [['w1', w1], ['w2', w2]]) {
  const r = await ev.evaluate(job);
  if (!r.fitness.every((v, i) => Object.is(v, ref.fitness[i]))) throw new Error(`${name} disagrees with plain-js`);
}
const impls = [
  { name: 'plain-js', fn: () => evaluateJs(job), isAsync: false },
  { name: 'w1', fn: () => w1.evaluate(job), isAsync: true },
  { name: 'w2', fn: () => w2.evaluate(job), isAsync: true },
];
const warm = opts.quick ? { minMs: 300, maxMs: 1500 } : { minMs: 1500, maxMs: 5000 };
for (const impl of impls) impl.calls = callsFor((await warmUp(impl, warm)).perCallMs, opts.quick ? 60 : 150);
const probe = makeProbe();
const m = await measureInterleaved(impls, probe, opts.quick ? { minKept: 5, maxReps: 12 } : { minKept: 11, maxReps: 40 });
await w1.close();
await w2.close();
const eps = (name) => 1000 / m.msPerCall[name];
const rows = [
  { name: 'es_eval/cartpole/p256/w1', value: eps('w1'), baseline: 'plain-js', baseline_value: eps('plain-js'), ratio: pairedRatio(m.samples, 'w1', 'plain-js') },
  { name: 'es_eval/cartpole/p256/w2', value: eps('w2'), baseline: 'plain-js', baseline_value: eps('plain-js'), ratio: pairedRatio(m.samples, 'w2', 'plain-js') },
  { name: 'es_eval/cartpole/p256/w2', value: eps('w2'), baseline: 'w1', baseline_value: eps('w1'), ratio: pairedRatio(m.samples, 'w2', 'w1') },
];
const stepsPerSec = (v) => v * P * 500;
for (const r of rows) {
  const o = { name: r.name, value: +r.value.toFixed(2), unit: 'evals/s', baseline: r.baseline, baseline_value: +r.baseline_value.toFixed(2),
    ratio: +r.ratio.toFixed(2), member_steps_per_s: Math.round(stepsPerSec(r.value)), kept: m.kept, dropped: m.dropped, machine: machineLine() };
  if (opts.json) process.stdout.write(JSON.stringify(o) + '\n');
  else log(`${r.name.padEnd(28)} ${o.value.toFixed(2).padStart(8)} evals/s  vs ${r.baseline} ${o.baseline_value.toFixed(2)}  ×${o.ratio}  (${(stepsPerSec(r.value) / 1e6).toFixed(1)} M member-steps/s)`);
}
if (!opts.json) log(`one eval = ${P} members × 500 steps; kept ${m.kept}/${m.reps} reps; ${machineLine()}`);
