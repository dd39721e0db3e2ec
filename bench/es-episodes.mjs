#!/usr/bin/env node
// ES fitness evaluation as evolution runs it: bench/es.mjs's 256 CartPole-v1 members (policy
// 4→32 LIF→2 LI, f32), 4 episodes each, every episode ending when the pole falls or at 500
// steps (bench/lib/es-job.mjs terminatingJob). Unlike es.mjs's fixed-work job, members cost
// different amounts (this early-generation population takes 9–250 steps per episode), so the
// figure shows what the kernel's lane scheduling does with uneven work: the plain-JS twin
// runs one member at a time and never idles; the kernel steps 16 members side by side.
// Compared in one process, interleaved and probe-filtered (bench/lib/timing.mjs):
//   plain-js: evaluateJs (same algorithm, bit-equal results); main: es_eval_f32 in this thread;
//   w1: es_eval_f32 in one worker; main-int8: the int8 mode in this thread (baseline: the f32
//   plain-js, as in es.mjs); against, against-int8 (with --against FILE): the same jobs on
//   another build's spikelet.wasm in this thread, e.g. an older commit's, built with
//     git worktree add /tmp/old COMMIT && (cd /tmp/old && npm ci && npm run build)
//   then --against /tmp/old/build/spikelet.wasm (its fitness must equal this build's).
// A separate process from es.mjs on purpose: evaluateJs compiled with feedback from both jobs
// could time the fixed job differently from evaluateJs that has only seen that job.
// Usage: node bench/es-episodes.mjs [--json] [--quick] [--against FILE]
import { readFileSync } from 'node:fs';
import { parseArgs } from './lib/cli.mjs';
import { pairedRatio, median } from './lib/timing.mjs';
import { machineLine } from './lib/machine.mjs';
import { cartpoleBenchJob, terminatingJob, measureEsImpls } from './lib/es-job.mjs';
import { WorkerEvaluator, LocalEvaluator, evaluateJs } from '../dist/index.js';

const argv = process.argv.slice(2);
const at = argv.indexOf('--against');
const againstPath = at >= 0 ? argv[at + 1] : null;
if (at >= 0 && (!againstPath || againstPath.startsWith('--'))) throw new Error('--against: expected a FILE (spikelet.wasm of another build)');
const opts = parseArgs(at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 2)] : argv);

const { pol, job: fixedJob } = cartpoleBenchJob();
const job = terminatingJob(fixedJob), job8 = { ...job, precision: 'int8', quant: pol.int8Quant };
const ref = evaluateJs(job), ref8 = evaluateJs(job8);
const steps = ref.steps.reduce((a, b) => a + b, 0);
const w1 = await WorkerEvaluator.create(1), local = new LocalEvaluator();
const against = againstPath ? new LocalEvaluator(new WebAssembly.Module(readFileSync(againstPath))) : null;
const checks = [['main', local.evaluateSync(job), ref], ['w1', await w1.evaluate(job), ref], ['main-int8', local.evaluateSync(job8), ref8],
  ...(against ? [['against', against.evaluateSync(job), ref], ['against-int8', against.evaluateSync(job8), ref8]] : [])];
for (const [name, r, want] of checks) {
  if (!r.fitness.every((v, i) => Object.is(v, want.fitness[i]))) throw new Error(`${name} disagrees with the plain-js twin`);
}
const impls = [
  { name: 'plain-js', fn: () => evaluateJs(job), isAsync: false },
  { name: 'main', fn: () => local.evaluateSync(job), isAsync: false },
  { name: 'w1', fn: () => w1.evaluate(job), isAsync: true },
  { name: 'main-int8', fn: () => local.evaluateSync(job8), isAsync: false },
  ...(against ? [{ name: 'against', fn: () => against.evaluateSync(job), isAsync: false },
    { name: 'against-int8', fn: () => against.evaluateSync(job8), isAsync: false }] : []),
];
const m = await measureEsImpls(impls, opts.quick);
await w1.close();

const eps = (name) => 1000 / m.msPerCall[name];
const rows = [
  { name: 'es_eval/cartpole/p256/episodes4/w1', impl: 'w1', baseline: 'plain-js' },
  { name: 'es_eval/cartpole/p256/episodes4/main', impl: 'main', baseline: 'plain-js' },
  { name: 'es_eval/cartpole/p256/episodes4/main-int8', impl: 'main-int8', baseline: 'plain-js' },
  ...(against ? [{ name: 'es_eval/cartpole/p256/episodes4/main', impl: 'main', baseline: 'against' },
    { name: 'es_eval/cartpole/p256/episodes4/main-int8', impl: 'main-int8', baseline: 'against-int8' }] : []),
];
const per = [...ref.steps].sort((a, b) => a - b);
for (const r of rows) {
  const o = {
    name: r.name, value: +eps(r.impl).toFixed(2), unit: 'evals/s', baseline: r.baseline, baseline_value: +eps(r.baseline).toFixed(2),
    ratio: +pairedRatio(m.samples, r.impl, r.baseline).toFixed(2), member_steps_per_s: Math.round(eps(r.impl) * steps),
    kept: m.kept, dropped: m.dropped, machine: machineLine(), ...(r.baseline.startsWith('against') ? { against: againstPath } : {}),
  };
  if (opts.json) process.stdout.write(JSON.stringify(o) + '\n');
  else process.stderr.write(`${r.name.padEnd(43)} ${o.value.toFixed(1).padStart(7)} evals/s  vs ${r.baseline} ${o.baseline_value.toFixed(1)}  ×${o.ratio}  (${(o.member_steps_per_s / 1e6).toFixed(1)} M member-steps/s)\n`);
}
if (!opts.json) {
  process.stderr.write(`one eval = 256 members × 4 episodes = ${steps} steps (per member: min ${per[0]}, median ${median(per)}, max ${per[per.length - 1]}); ` +
    `kept ${m.kept}/${m.reps} reps; ${machineLine()}\n`);
}
