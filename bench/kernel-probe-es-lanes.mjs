#!/usr/bin/env node
// Diagnostic probe (not run by run-all): how much of the CartPole kernel's work is useful?
// Builds the release kernel from a copy of an assembly/ folder (default: this checkout's) with
// a counter in cartpole_step4 (one group of 4 lanes stepped) and runs evaluation jobs on it:
// lane-steps computed (4 per group step) per environment step taken by a member (the steps
// the results count). 1.00 would be every lane busy on every step; the excess is lanes whose
// member has ended stepping on beside busy ones (masked), and the drain at the end of a call.
// Jobs: bench/es.mjs's 256 members, 4 terminating episodes each (bench/es-episodes.mjs's job),
// 1 terminating episode each, and the fixed-work job (termination ignored, 500 steps).
// --assembly DIR measures another kernel, e.g. an older commit's:
//   git worktree add /tmp/old COMMIT && node bench/kernel-probe-es-lanes.mjs --assembly /tmp/old/assembly
// (the host side is this checkout's: a kernel from before a change to the job layout may not run).
//   node bench/kernel-probe-es-lanes.mjs [--assembly DIR]
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from './lib/machine.mjs';
import { cartpoleBenchJob, terminatingJob } from './lib/es-job.mjs';
import { buildKernelVariant } from './lib/kernel-build.mjs';
import { LocalEvaluator, evaluateJs } from '../dist/index.js';

const args = process.argv.slice(2);
const at = args.indexOf('--assembly');
if (at >= 0 && !args[at + 1]) throw new Error('--assembly: expected a DIR (an assembly/ folder)');
const root = fileURLToPath(new URL('..', import.meta.url));
const source = at >= 0 ? resolve(args[at + 1]) : join(root, 'assembly');

const STEP = 'export function cartpole_step4(p: usize, f0: v128, f1: v128, term: usize): void {\n';
const bytes = buildKernelVariant(source, (copy) => {
  const classic = join(copy, 'env/classic.ts'), index = join(copy, 'index.ts');
  const text = readFileSync(classic, 'utf8');
  if (!text.includes(STEP)) throw new Error(`${source}/env/classic.ts has no cartpole_step4 of the expected signature; update this probe`);
  writeFileSync(classic, text.replace(STEP, 'let probeGroupSteps: i32 = 0;\nexport function probe_group_steps(): i32 { return probeGroupSteps; }\n' +
    STEP + '  probeGroupSteps++;\n'));
  writeFileSync(index, readFileSync(index, 'utf8') + "\nexport { probe_group_steps } from './env/classic';\n");
});

const { job } = cartpoleBenchJob();
const jobs = [['4 terminating episodes per member', terminatingJob(job)], ['1 terminating episode per member', { ...terminatingJob(job), episodes: 1 }],
  ['fixed work (500 steps, termination ignored)', job]];
console.log(`CartPole kernel from ${source}: lane-steps computed per step taken; ${machineLine()}`);
for (const [name, j] of jobs) {
  const ev = new LocalEvaluator(new WebAssembly.Module(bytes)); // a fresh instance: the counter starts at 0
  const r = ev.evaluateSync(j), want = evaluateJs(j);
  if (!r.fitness.every((v, i) => Object.is(v, want.fitness[i]))) throw new Error(`${name}: the probe build disagrees with evaluateJs`);
  // ev.ex: the instance exports behind LocalEvaluator (a private field; a probe may look inside).
  const taken = r.steps.reduce((a, b) => a + b, 0), computed = 4 * ev.ex.probe_group_steps();
  console.log(`${name.padEnd(44)} ${(computed / taken).toFixed(2)}  (${computed} lane-steps for ${taken} steps)`);
}
