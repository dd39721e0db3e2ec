#!/usr/bin/env node
// Diagnostic probe (not run by run-all): what a worker call of bench/es.mjs's fixed job costs
// beyond the kernel, and why. Prints medians over interleaved repetitions of:
//   main:       LocalEvaluator.evaluateSync in this thread (the `main` row of bench/es.mjs);
//   w1:         WorkerEvaluator(1).evaluate, one call at a time (the `w1` row);
//   w1-2runs:   the same worker with two evaluations in flight (the `w1-2runs` row);
//   anatomy:    a worker of this probe's own running the same job with LocalEvaluator, with
//               timestamps in both threads: post → kernel start, kernel, kernel end → result
//               received (the path of WorkerEvaluator's 'eval' message, timed from outside);
//   ping-*:     a bare message answered after 4 ms of busy work in a worker, the reply waited
//               for with a message, with Atomics.waitAsync, or by spinning on a shared word —
//               the difference is what waking a thread that slept through the 4 ms costs.
// Usage: node bench/kernel-probe-es-roundtrip.mjs [--reps N]
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { machineLine } from './lib/machine.mjs';
import { repsOption } from './lib/cli.mjs';
import { median } from './lib/timing.mjs';
import { cartpoleBenchJob, twoInFlight } from './lib/es-job.mjs';
import { LocalEvaluator, WorkerEvaluator } from '../dist/index.js';

const REPS = repsOption(20);
const CALLS = 36; // per repetition and implementation (~150 ms)
const { job } = cartpoleBenchJob();
const clock = () => performance.timeOrigin + performance.now(); // comparable across threads

const local = new LocalEvaluator();
const w1 = await WorkerEvaluator.create(1);
const dist = new URL('../dist/index.js', import.meta.url).href;
const ANATOMY = `
const { parentPort } = require('node:worker_threads');
const clock = () => performance.timeOrigin + performance.now();
import(${JSON.stringify(dist)}).then(({ LocalEvaluator }) => {
  const ev = new LocalEvaluator();
  parentPort.on('message', (m) => {
    const start = clock();
    const r = ev.evaluateSync(m.job);
    const end = clock();
    parentPort.postMessage({ start, end, fitness: r.fitness }, [r.fitness.buffer]);
  });
  parentPort.postMessage('ready');
});`;
const anatomy = new Worker(ANATOMY, { eval: true });
await new Promise((resolve) => anatomy.once('message', resolve));
const PING = `
const { parentPort } = require('node:worker_threads');
let word;
parentPort.on('message', (m) => {
  if (m.sab) { word = new Int32Array(m.sab); return; }
  const end = performance.now() + 4;
  while (performance.now() < end);
  if (m.how === 'message') parentPort.postMessage(0);
  else { Atomics.add(word, 0, 1); Atomics.notify(word, 0); }
});`;
const ping = new Worker(PING, { eval: true });
const word = new Int32Array(new SharedArrayBuffer(4));
ping.postMessage({ sab: word.buffer });

const pings = {
  'ping-message': () => new Promise((resolve) => { ping.once('message', resolve); ping.postMessage({ how: 'message' }); }),
  'ping-waitAsync': async () => {
    const v = Atomics.load(word, 0);
    ping.postMessage({ how: 'atomics' });
    const r = Atomics.waitAsync(word, 0, v);
    if (r.async) await r.value;
  },
  'ping-spin': async () => {
    const v = Atomics.load(word, 0);
    ping.postMessage({ how: 'atomics' });
    while (Atomics.load(word, 0) === v);
  },
};

const per = {}; // name → ms per evaluation (or per ping), one entry per repetition
const add = (name, ms) => (per[name] ??= []).push(ms);
const parts = { toKernel: [], kernel: [], toHost: [] }; // anatomy, µs per call
async function rep(record) {
  let t0 = performance.now();
  for (let i = 0; i < CALLS; i++) local.evaluateSync(job);
  if (record) add('main', (performance.now() - t0) / CALLS);
  t0 = performance.now();
  for (let i = 0; i < CALLS; i++) await w1.evaluate(job);
  if (record) add('w1', (performance.now() - t0) / CALLS);
  t0 = performance.now();
  await twoInFlight(w1, job, CALLS);
  if (record) add('w1-2runs', (performance.now() - t0) / CALLS);
  for (let i = 0; i < CALLS; i++) {
    const posted = clock();
    const m = await new Promise((resolve) => { anatomy.once('message', resolve); anatomy.postMessage({ job }); });
    const received = clock();
    if (!record) continue;
    parts.toKernel.push((m.start - posted) * 1000);
    parts.kernel.push((m.end - m.start) * 1000);
    parts.toHost.push((received - m.end) * 1000);
  }
  for (const [name, fn] of Object.entries(pings)) {
    t0 = performance.now();
    for (let i = 0; i < CALLS; i++) await fn();
    if (record) add(name, (performance.now() - t0) / CALLS - 4); // minus the 4 ms of work
  }
}
for (let r = 0; r < 3; r++) await rep(false); // warm-up
for (let r = 0; r < REPS; r++) await rep(true);
await w1.close();
await anatomy.terminate();
await ping.terminate();

const main = median(per.main);
const us = (ms) => `${(ms * 1000).toFixed(0)} µs`;
console.log(`ES fixed job (256 members × 500 CartPole steps), medians over ${REPS} repetitions of ${CALLS} calls; ${machineLine()}`);
for (const name of ['main', 'w1', 'w1-2runs']) {
  const t = median(per[name]);
  console.log(`${name.padEnd(10)} ${us(t).padStart(9)} per evaluation  (${name === 'main' ? 'the kernel in this thread' : `${t >= main ? '+' : '−'}${us(Math.abs(t - main))} against main, ×${(t / main).toFixed(3)}`})`);
}
console.log(`anatomy    post → kernel start ${median(parts.toKernel).toFixed(0)} µs, kernel ${median(parts.kernel).toFixed(0)} µs, kernel end → result received ${median(parts.toHost).toFixed(0)} µs`);
for (const name of Object.keys(pings)) console.log(`${name.padEnd(15)} ${us(median(per[name])).padStart(7)} beyond the 4 ms of work`);
