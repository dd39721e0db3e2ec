#!/usr/bin/env node
// Diagnostic probe (not run by run-all): where does an ES CartPole evaluation spend its time?
// Builds the release kernel four times from a copy of assembly/ — unchanged, and with one stage
// switched off behind a condition that is never true at run time (so the compiler keeps the
// stage's code but never runs it): the physics (cartpole_step8), the hidden layer (hidden4), the
// noise generator (gaussian4x4). Then times es_eval_f32 on the benchmark's job (256 members ×
// 500 steps, termination ignored, so the work does not depend on the weights) for each build,
// interleaved, and prints each stage's marginal cost: full − without it.
// The marginal costs add up to more than the whole: the CPU overlaps the stages (one pair's
// physics runs while the other pair's hidden layer is computed).
// The builds without a stage give wrong fitness; they exist only here.
//   node bench/kernel-probe-es-stages.mjs [--reps 25]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from './lib/machine.mjs';
import { repsOption } from './lib/cli.mjs';
import { median } from './lib/timing.mjs';
import { cartpoleBenchJob } from './lib/es-job.mjs';
import { buildKernelVariant } from './lib/kernel-build.mjs';
import { LocalEvaluator } from '../dist/index.js';

const REPS = repsOption(25);
const root = fileURLToPath(new URL('..', import.meta.url));
const ROLLOUT = 'es/rollout.ts'; // inside an assembly/ folder

// Each stage: the statement to guard in rollout.ts, and the never-true condition put before it
// (a word that evalCore always writes 0: cfg word 31, constants word 15).
const stages = [
  { name: 'physics', stmt: '  cartpole_step8(soaA, soaB, forceLo(gtA), forceHi(gtA), forceLo(gtB), forceHi(gtB), xs + 384);', cond: 'load<i32>(k, 60) == 1' },
  { name: 'hidden layer', stmt: '  hidden4(g, end, xs, k);\n  hidden4(g + 16, end + 16, xs + 16, k);', cond: 'load<i32>(k, 60) == 1' },
  { name: 'noise', stmt: '    for (let b = 0; b < nk; b += 4) gaussian4x4(', cond: 'W(cfg, 31) == 1' },
];

/** The release kernel with `patch`'s statement guarded by its never-true condition (none: unchanged). */
function build(patch) {
  return buildKernelVariant(join(root, 'assembly'), (copy) => {
    if (!patch) return;
    const text = readFileSync(join(copy, ROLLOUT), 'utf8');
    if (!text.includes(patch.stmt)) throw new Error(`assembly/${ROLLOUT} no longer contains the ${patch.name} statement; update this probe`);
    const guarded = patch.stmt.split('\n').map((line) => line.replace(/^(\s*)/, `$1if (${patch.cond}) `)).join('\n');
    writeFileSync(join(copy, ROLLOUT), text.replace(patch.stmt, guarded));
  });
}

const builds = [{ name: 'full', bytes: build(null) }, ...stages.map((s) => ({ name: `without ${s.name}`, stage: s.name, bytes: build(s) }))];
const shipped = readFileSync(join(root, 'build/spikelet.wasm'));
const same = Buffer.compare(builds[0].bytes, shipped) === 0;

const { job } = cartpoleBenchJob();
for (const b of builds) {
  b.ev = new LocalEvaluator(new WebAssembly.Module(b.bytes));
  for (let i = 0; i < 40; i++) b.ev.evaluateSync(job); // TurboFan tier-up
  b.ms = [];
}
for (let r = 0; r < REPS; r++) {
  const order = r & 1 ? builds : [...builds].reverse();
  for (const b of order) {
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) b.ev.evaluateSync(job);
    b.ms.push((performance.now() - t0) / 3);
  }
}
const full = median(builds[0].ms);
console.log(`ES CartPole evaluation (256 members × 500 steps, f32, one thread), median of ${REPS}; ${machineLine()}`);
console.log(`full build ${same ? 'is byte-identical to' : 'DIFFERS from'} build/spikelet.wasm`);
console.log(`${'full'.padEnd(24)} ${full.toFixed(3)} ms`);
for (const b of builds.slice(1)) {
  const t = median(b.ms);
  console.log(`${b.name.padEnd(24)} ${t.toFixed(3)} ms   ${b.stage} costs ${(full - t).toFixed(3)} ms (${((100 * (full - t)) / full).toFixed(1)} % of full)`);
}
