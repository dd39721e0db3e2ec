#!/usr/bin/env node
// How a 2-worker pool should split a population: the dynamic schedule (the default: each
// worker's kernel claims blocks of 8 members from a shared counter as its lanes fall free)
// against the static one (one fixed half each), on two jobs of 256 CartPole-v1 members
// (policy 4→32 LIF→2 LI, f32):
//   fixed: bench/es.mjs's job — 500 steps per member, termination ignored: every member costs
//          the same, so the static halves are equal work and only uneven cores favour dynamic;
//   episodes: the same members, 4 episodes each, ending when the pole falls (as in evolution,
//          bench/lib/es-job.mjs terminatingJob): members cost different amounts, so equal
//          halves are not equal work — but which schedule wins also depends on when each
//          schedule starts the longest-lived members.
// Both schedules give identical fitness (checked before timing). Interleaved, probe-filtered
// repetitions (bench/lib/timing.mjs); ratio = static time / dynamic time, per repetition.
// Usage: node bench/es-schedule.mjs [--json] [--quick]
import { parseArgs } from './lib/cli.mjs';
import { pairedRatio } from './lib/timing.mjs';
import { machineLine } from './lib/machine.mjs';
import { cartpoleBenchJob, terminatingJob, measureEsImpls } from './lib/es-job.mjs';
import { WorkerEvaluator } from '../dist/index.js';

const opts = parseArgs();
const { job: fixed } = cartpoleBenchJob();
const jobs = { fixed, episodes: terminatingJob(fixed) };
const dyn = await WorkerEvaluator.create(2), stat = await WorkerEvaluator.create(2, undefined, { schedule: 'static' });
if (dyn.schedule !== 'dynamic') throw new Error('es-schedule: no SharedArrayBuffer here, so no dynamic schedule to measure');
const impls = [];
for (const [name, job] of Object.entries(jobs)) {
  const [a, b] = [await dyn.evaluate(job), await stat.evaluate(job)];
  if (!a.fitness.every((v, i) => Object.is(v, b.fitness[i]))) throw new Error(`${name}: the schedules disagree`);
  impls.push({ name: `${name}/dynamic`, fn: () => dyn.evaluate(job), isAsync: true });
  impls.push({ name: `${name}/static`, fn: () => stat.evaluate(job), isAsync: true });
}
const m = await measureEsImpls(impls, opts.quick);
await dyn.close();
await stat.close();

for (const name of Object.keys(jobs)) {
  const d = `${name}/dynamic`, s = `${name}/static`;
  const o = {
    name: `es_schedule/cartpole/p256/w2/${name}`, value: +(1000 / m.msPerCall[d]).toFixed(2), unit: 'evals/s',
    baseline: 'static', baseline_value: +(1000 / m.msPerCall[s]).toFixed(2), ratio: +pairedRatio(m.samples, d, s).toFixed(3),
    kept: m.kept, dropped: m.dropped, machine: machineLine(),
  };
  if (opts.json) process.stdout.write(JSON.stringify(o) + '\n');
  else process.stderr.write(`${o.name.padEnd(40)} dynamic ${o.value.toFixed(1).padStart(7)} evals/s  static ${o.baseline_value.toFixed(1).padStart(7)}  ×${o.ratio}\n`);
}
if (!opts.json) process.stderr.write(`kept ${m.kept}/${m.reps} reps; ${machineLine()}\n`);
