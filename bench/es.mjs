#!/usr/bin/env node
// ES fitness evaluation throughput: population evaluations per second — population 256, one
// CartPole-v1 episode of exactly 500 steps per member (termination ignored, so every
// implementation does the same fixed work whatever the weights), policy 4→32 LIF→2 LI, f32.
// Compared in one process, interleaved and probe-filtered (bench/lib/timing.mjs):
//   plain-js: evaluateJs, the same algorithm one member and one neuron at a time in plain
//             JavaScript in this thread (noise generation, network, environment — bit-equal);
//   w1, w2:   es_eval_f32 in 1 and 2 worker threads (w2: the pool's default dynamic schedule;
//             bench/es-schedule.mjs compares it with fixed halves);
//   main:     es_eval_f32 in this thread (LocalEvaluator): the kernel alone, without the worker
//             round trip — the difference to w1 is what a worker call costs on this machine;
//   w1-2runs: the same worker with two evaluations in flight, as when two runs share one pool
//             (`evolve(config, { evaluator })` twice at once): timed over chains of 8
//             evaluations, the next posted before the last is awaited, so the worker finds a
//             job queued when it finishes one — what one worker sustains once the round trip
//             (below) is hidden. One run alone cannot do this: a generation needs the last
//             one's fitness;
//   w1-int8:  the int8 mode in 1 worker (each member quantized in the kernel, int16 hidden
//             layer, 8 members per i16x8); baseline plain-js (the f32 twin) and w1 (f32).
// Each call includes regenerating the 256 members' parameters from seeds, sending the job
// (sizes, seed, mean, σ: ~3.7 KB) and receiving the fitness. `worker_overhead_ms`: a 4-member
// job in a worker minus the same job in this thread, back to back (~40 µs). After a 4 ms call
// the gap is larger (0.1–0.4 ms measured): both threads have gone idle and must be woken.
//
// Two workers can only be 2× one worker if the machine gives two threads two cores' worth of
// time. On shared 2-vCPU machines it often does not (two busy threads each run at half speed
// for minutes at a time), so every repetition also times a parallel-capacity probe: a fixed
// plain-JS loop in one worker alone, then in two workers at once; capacity = 2·t(alone) /
// t(both) (2 = two free cores, 1 = one core's worth shared by both). The w2-vs-w1 ratio is
// reported over the repetitions whose capacity was ≥ 1.8, with the capacity seen, and over all
// repetitions in `ratio_all`; if fewer than 5 repetitions had that capacity it says so.
// Usage: node bench/es.mjs [--json] [--quick]
import { Worker } from 'node:worker_threads';
import { parseArgs } from './lib/cli.mjs';
import { pairedRatio, median } from './lib/timing.mjs';
import { machineLine } from './lib/machine.mjs';
import { cartpoleBenchJob, measureEsImpls, twoInFlight, ES_POPULATION as P, ES_STEPS } from './lib/es-job.mjs';
import { WorkerEvaluator, LocalEvaluator, evaluateJs } from '../dist/index.js';

const opts = parseArgs();
const log = (s) => process.stderr.write(s + '\n');
const { pol, job } = cartpoleBenchJob();
const CAPACITY_OK = 1.8;
// int8 mode: the same members quantized per member in the kernel and run as int8 deployments.
const job8 = { ...job, precision: 'int8', quant: pol.int8Quant };
const w1 = await WorkerEvaluator.create(1), w2 = await WorkerEvaluator.create(2), w1i8 = await WorkerEvaluator.create(1);
const local = new LocalEvaluator();
const ref = evaluateJs(job), ref8 = evaluateJs(job8);
for (const [name, ev, j, want] of [['main', local, job, ref], ['w1', w1, job, ref], ['w2', w2, job, ref], ['w1-int8', w1i8, job8, ref8]]) {
  const r = await ev.evaluate(j);
  if (!r.fitness.every((v, i) => Object.is(v, want.fitness[i]))) throw new Error(`${name} disagrees with its plain-js twin`);
}

// Parallel-capacity probe: two spin workers of their own (never the evaluators' threads).
const SPIN = `const { parentPort } = require('node:worker_threads');
function spin(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i + s * 1e-12); return s; }
parentPort.on('message', (n) => parentPort.postMessage(spin(n)));`;
const spinners = [new Worker(SPIN, { eval: true }), new Worker(SPIN, { eval: true })];
const spinOnce = (w, n) => new Promise((resolve) => { w.once('message', resolve); w.postMessage(n); });
const SPIN_N = 400000; // ~1 ms
const CHAIN = 8; // evaluations per timed w1-2runs call
const impls = [
  { name: 'plain-js', fn: () => evaluateJs(job), isAsync: false },
  { name: 'main', fn: () => local.evaluateSync(job), isAsync: false },
  { name: 'w1', fn: () => w1.evaluate(job), isAsync: true },
  { name: 'w2', fn: () => w2.evaluate(job), isAsync: true },
  { name: 'w1-2runs', fn: () => twoInFlight(w1, job, CHAIN), isAsync: true },
  { name: 'w1-int8', fn: () => w1i8.evaluate(job8), isAsync: true },
  { name: 'spin1', fn: () => spinOnce(spinners[0], SPIN_N), isAsync: true },
  { name: 'spin2', fn: () => Promise.all([spinOnce(spinners[0], SPIN_N), spinOnce(spinners[1], SPIN_N)]), isAsync: true },
];
const m = await measureEsImpls(impls, opts.quick);
m.samples['w1-2runs'] = m.samples['w1-2runs'].map((t) => t / CHAIN); // per evaluation
m.msPerCall['w1-2runs'] /= CHAIN;

// Round-trip overhead of a worker call: a 4-member job there minus the same job here.
const tiny = { ...job, count: 4 };
const timeIt = async (fn, n) => { const t0 = performance.now(); for (let i = 0; i < n; i++) await fn(); return (performance.now() - t0) / n; };
await timeIt(() => w1.evaluate(tiny), 50); await timeIt(() => local.evaluateSync(tiny), 50);
const over = [];
for (let r = 0; r < 9; r++) over.push(await timeIt(() => w1.evaluate(tiny), 50) - await timeIt(() => local.evaluateSync(tiny), 50));
const overheadMs = median(over);

await w1.close();
await w2.close();
await w1i8.close();
await Promise.all(spinners.map((w) => w.terminate()));

const cap = m.samples.spin1.map((t, i) => (2 * t) / m.samples.spin2[i]);
const good = cap.map((c, i) => (c >= CAPACITY_OK ? i : -1)).filter((i) => i >= 0);
const w2w1All = pairedRatio(m.samples, 'w2', 'w1');
const w2w1Good = good.length >= 5 ? median(good.map((i) => m.samples.w1[i] / m.samples.w2[i])) : NaN;
const eps = (name) => 1000 / m.msPerCall[name];
const rows = [
  { name: 'es_eval/cartpole/p256/w1', value: eps('w1'), baseline: 'plain-js', baseline_value: eps('plain-js'), ratio: pairedRatio(m.samples, 'w1', 'plain-js') },
  { name: 'es_eval/cartpole/p256/main', value: eps('main'), baseline: 'plain-js', baseline_value: eps('plain-js'), ratio: pairedRatio(m.samples, 'main', 'plain-js') },
  { name: 'es_eval/cartpole/p256/w2', value: eps('w2'), baseline: 'plain-js', baseline_value: eps('plain-js'), ratio: pairedRatio(m.samples, 'w2', 'plain-js') },
  { name: 'es_eval/cartpole/p256/w1-2runs', value: eps('w1-2runs'), baseline: 'plain-js', baseline_value: eps('plain-js'), ratio: pairedRatio(m.samples, 'w1-2runs', 'plain-js') },
  { name: 'es_eval/cartpole/p256/w1-int8', value: eps('w1-int8'), baseline: 'plain-js', baseline_value: eps('plain-js'), ratio: pairedRatio(m.samples, 'w1-int8', 'plain-js') },
  { name: 'es_eval/cartpole/p256/w1-int8', value: eps('w1-int8'), baseline: 'w1', baseline_value: eps('w1'), ratio: pairedRatio(m.samples, 'w1-int8', 'w1') },
  { name: 'es_eval/cartpole/p256/w2', value: eps('w2'), baseline: 'w1', baseline_value: eps('w1'),
    ratio: good.length >= 5 ? w2w1Good : w2w1All,
    extra: {
      ratio_all: +w2w1All.toFixed(2), capacity_median: +median(cap).toFixed(2), capacity_ok_reps: good.length,
      capacity_limited: good.length < 5,
    } },
];
const stepsPerSec = (v) => v * P * ES_STEPS;
for (const r of rows) {
  const o = { name: r.name, value: +r.value.toFixed(2), unit: 'evals/s', baseline: r.baseline, baseline_value: +r.baseline_value.toFixed(2),
    ratio: +r.ratio.toFixed(2), member_steps_per_s: Math.round(stepsPerSec(r.value)), kept: m.kept, dropped: m.dropped,
    worker_overhead_ms: +overheadMs.toFixed(3), ...r.extra, machine: machineLine() };
  if (opts.json) process.stdout.write(JSON.stringify(o) + '\n');
  else {
    let line = `${r.name.padEnd(28)} ${o.value.toFixed(2).padStart(8)} evals/s  vs ${r.baseline} ${o.baseline_value.toFixed(2)}  ×${o.ratio}  (${(stepsPerSec(r.value) / 1e6).toFixed(1)} M member-steps/s)`;
    if (r.extra) {
      line += r.extra.capacity_limited
        ? `  [capacity-limited: only ${good.length} reps had parallel capacity ≥ ${CAPACITY_OK}; median capacity ×${r.extra.capacity_median}; ratio over all reps]`
        : `  [${good.length} reps with parallel capacity ≥ ${CAPACITY_OK}; all reps ×${r.extra.ratio_all}, median capacity ×${r.extra.capacity_median}]`;
    }
    log(line);
  }
}
if (!opts.json) {
  log(`one eval = ${P} members × ${ES_STEPS} steps; kept ${m.kept}/${m.reps} reps; worker round trip ${(overheadMs * 1000).toFixed(0)} µs/call; ${machineLine()}`);
}
