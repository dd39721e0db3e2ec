#!/usr/bin/env node
// Training throughput of an SHD-shaped recurrent SNN, single thread: batch 64, T = 100, 700
// inputs at 5 % spike probability, 128 recurrent LIF, 20 LI outputs, arctan (α = 2), Adam
// (lr 1e-3), full BPTT, cross-entropy on the time-mean readout. The model, its equations
// (snnTorch spike order: reset subtracted at the next step, detached), initialisation gains and
// data are those of ../shared/anchors/torch_rsnn_bench.py, which this bench runs beside
// spikelet (PyTorch CPU, 1 thread) when `python3` (or /usr/bin/python3) has torch.
// One step = copy the batch in + forward with tape + loss + backward through time + Adam update.
// The batches are Float32Array 0/1, as PyTorch gets them (a Uint8Array would copy 4× fewer bytes).
// Figures: samples/s = 64 / median step time of the kept repetitions (probe-filtered, see
// /work/shared/BENCHMARKING.md), then a breakdown of one step by kernel.
//
// Fairness of the baseline: PyTorch runs in child processes with OMP/OPENBLAS/MKL_NUM_THREADS=1,
// alternating with spikelet's repetitions (ROUNDS PyTorch runs between ROUNDS + 1 spikelet
// blocks; its figure is the median of the runs' median step times). Debian's torch does its
// matrix products in whatever libblas.so.3 the alternatives system points at; with Netlib's
// reference BLAS it is several times slower than with OpenBLAS, so the bench reports which BLAS
// the child actually mapped (/proc/self/maps after a matmul; torch's BLAS_INFO says only
// "generic") and warns, marking the JSON line "baseline_blas": "reference", when the ratio is
// not meaningful.
// Usage: node bench/train.mjs [--json] [--quick]
import { spawnSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, emitJson, log } from './lib/cli.mjs';
import { makeProbe, median } from './lib/timing.mjs';
import { machineLine, machineShort } from './lib/machine.mjs';
import { Runtime, TrainEngine, Optimizer, checkOptimizer, checkLoss, computeLoss, resolveModel, initParams } from '../dist/index.js';

const opts = parseArgs();
const here = dirname(fileURLToPath(import.meta.url));
const B = 64, T = 100, I = 700, H = 128, O = 20, P_IN = 0.05;
const NAME = 'train_rsnn/shd/b64';

// ---- the model and data (same gains as the PyTorch anchor) ----
const rt = await Runtime.create();
const model = resolveModel({
  inputSize: I, order: 'snntorch', surrogate: { name: 'arctan', alpha: 2 },
  layers: [
    { size: H, cell: 'lif', recurrent: true, beta: 0.9, threshold: 1, init: { gain: 3, recurrentGain: 1 } },
    { size: O, cell: 'li', beta: 0.8, init: { gain: 1 } },
  ],
});
const engine = new TrainEngine(rt, model, B, T);
engine.setParams(initParams(model, 0));
engine.xBinary = true;
const opt = new Optimizer(engine, checkOptimizer({ type: 'adam', lr: 1e-3 }));
const loss = checkLoss({ type: 'ce_mean' }, false);
let s = 0x12345;
const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
const NB = 4; // batches generated before timing, cycled
const xs = [], ys = [];
for (let k = 0; k < NB; k++) {
  const x = new Float32Array(B * T * I);
  for (let i = 0; i < x.length; i++) x[i] = rand() < P_IN ? 1 : 0;
  xs.push(x);
  ys.push(Int32Array.from({ length: B }, () => Math.floor(rand() * O)));
}
const idx = Int32Array.from({ length: B }, (_, i) => i);
let it = 0, lastLoss = NaN, activity = 0;
function trainStep() {
  const k = it++ % NB;
  engine.loadBatch(xs[k], idx);
  const st = engine.forward();
  activity = st.spikes[0] / (T * B * H);
  const r = computeLoss(loss, engine.accumulated(1), ys[k], B, O, engine.stride(1), T);
  lastLoss = r.loss;
  engine.setOutputGrad(r.dAcc);
  engine.backward();
  opt.step(1e9);
}

// ---- warm up until the step time settles, then probe-filtered repetitions ----
const probe = makeProbe();
probe.warm();
const timeOne = (fn) => { const t0 = performance.now(); fn(); return performance.now() - t0; };
{
  const w = [];
  const t0 = performance.now();
  while (performance.now() - t0 < (opts.quick ? 1500 : 4000)) {
    w.push(timeOne(trainStep));
    if (w.length >= 6) {
      const a = w.slice(-3), b = w.slice(-6, -3);
      if (Math.abs(median(a) - median(b)) / median(b) < 0.05 && w.length >= 8) break;
    }
  }
  log(`warm-up: ${w.length} steps, last ${w.slice(-3).map((v) => v.toFixed(1)).join(' ')} ms`);
}
function measure(reps) {
  const kept = [], dropped = [];
  for (let r = 0; r < reps; r++) {
    const p0 = probe.run();
    const dt = timeOne(trainStep);
    const p1 = probe.run();
    (probe.ok(Math.max(p0, p1)) ? kept : dropped).push(dt);
  }
  return { kept, dropped };
}
const load0 = loadavg();

// ---- PyTorch, same machine, same run, interleaved ----
const TORCH_ENV = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
// Which BLAS does torch really call? Mapped libraries after a matmul, plus torch's own config.
const BLAS_PROBE = `
import json, re, torch
torch.set_num_threads(1)
a = torch.ones(64, 64); (a @ a).sum().item()
libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if re.search(r'(blas|lapack|mkl|blis|atlas)[^/]*$', l.split()[-1] if l.split() else '')})
cfg = torch.__config__.show()
m = re.search(r'BLAS_INFO=([^,\\s]+)', cfg)
print(json.dumps({'torch': torch.__version__, 'blas_info': m.group(1) if m else None, 'libs': libs, 'threads': torch.get_num_threads()}))
`;
function classifyBlas(probe) {
  // The libblas.so.3 torch links against decides (liblapack may pull in libopenblas beside a
  // Netlib libblas, so the mere presence of OpenBLAS proves nothing).
  const kind = (path) => (/openblas/i.test(path) ? 'openblas' : /mkl/i.test(path) ? 'mkl' : /blis/i.test(path) ? 'blis'
    : /atlas/i.test(path) ? 'atlas' : /\/blas\//.test(path) ? 'reference' : null);
  const libblas = probe.libs.find((l) => /\/libblas\.so/.test(l));
  if (libblas) return kind(libblas) ?? 'unknown';
  if (probe.libs.some((l) => /mkl/i.test(l)) || probe.blas_info === 'mkl') return 'mkl';
  if (probe.libs.some((l) => /openblas/i.test(l))) return 'openblas';
  return probe.blas_info ?? 'unknown';
}
let torchRuns = [], torchWhy = null, py = null, blas = null, blasProbe = null, blasAlternative = null;
const anchor = join(here, '..', '..', 'shared', 'anchors', 'torch_rsnn_bench.py');
if (!existsSync(anchor)) torchWhy = `${anchor} not found`;
else {
  py = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore', env: TORCH_ENV }).status === 0) ?? null;
  if (!py) torchWhy = 'no python3 with torch (apt-get install python3-torch to compare)';
  else {
    const r = spawnSync(py, ['-c', BLAS_PROBE], { encoding: 'utf8', env: TORCH_ENV });
    try { blasProbe = JSON.parse((r.stdout ?? '').trim().split('\n').pop()); blas = classifyBlas(blasProbe); } catch { blas = 'unknown'; }
    try { blasAlternative = readlinkSync('/etc/alternatives/libblas.so.3-x86_64-linux-gnu'); } catch { /* not Debian's alternatives */ }
    log(`PyTorch BLAS: ${blas} (mapped: ${blasProbe?.libs?.join(', ') || 'none'}; BLAS_INFO=${blasProbe?.blas_info}; libblas.so.3 alternative -> ${blasAlternative ?? 'n/a'})`);
    if (blas === 'reference') {
      log('WARNING: PyTorch is using the Netlib reference BLAS (no blocking, no SIMD kernels); its matrix products run several');
      log('         times slower than with an optimised BLAS, so the ratio below is NOT meaningful. Fix (Debian/Ubuntu):');
      log('           apt-get install libopenblas0-pthread   (then check: update-alternatives --display libblas.so.3-x86_64-linux-gnu)');
      if (blasAlternative && !/\/blas\//.test(blasAlternative)) log(`         (the alternative already points at ${blasAlternative}: look for an LD_LIBRARY_PATH or LD_PRELOAD that overrides it)`);
    }
  }
}
function runTorch() {
  const r = spawnSync(py, [anchor, '--threads', '1', '--mode', 'train', '--json', '--steps', opts.quick ? '6' : '10'],
    { encoding: 'utf8', timeout: 900_000, env: TORCH_ENV });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) { torchWhy = `PyTorch run failed: ${(r.stderr ?? '').trim().split('\n').pop()}`; return; }
  torchRuns.push(JSON.parse(line));
}

const ROUNDS = py ? (opts.quick ? 2 : 3) : 0;
const reps = opts.quick ? 6 : 8;
const blocks = [];
for (let round = 0; round <= ROUNDS; round++) {
  blocks.push(measure(reps));
  if (round < ROUNDS && !torchWhy) {
    log(`PyTorch run ${round + 1}/${ROUNDS} (${py} torch_rsnn_bench.py --threads 1 --mode train, OMP/OPENBLAS/MKL_NUM_THREADS=1) ...`);
    runTorch();
  }
}
const kept = blocks.flatMap((b) => b.kept);
const dropped = blocks.reduce((a, b) => a + b.dropped.length, 0);
const stepMs = median(kept.length ? kept : blocks.flatMap((b) => b.dropped));
const value = B / (stepMs / 1000);
const torch = torchRuns.length ? {
  torch: torchRuns[0].torch,
  median_step_ms: median(torchRuns.map((r) => r.median_step_ms)),
  runs_ms: torchRuns.map((r) => +r.median_step_ms.toFixed(1)),
  hidden_activity: torchRuns[torchRuns.length - 1].hidden_activity,
  cpu_per_wall: Math.max(...torchRuns.map((r) => r.cpu_per_wall)),
  other_busy: Math.max(...torchRuns.map((r) => r.other_cpu_busy_pct_during ?? 0)),
} : null;
if (torch) torch.value = B / (torch.median_step_ms / 1000);
const load1 = loadavg();

// ---- breakdown: time every kernel call of a few steps ----
const k = engine.k;
const spent = new Map();
const orig = {};
for (const name of Object.keys(k)) {
  orig[name] = k[name];
  k[name] = (...a) => { const t0 = performance.now(); const r = orig[name](...a); spent.set(name, (spent.get(name) ?? 0) + performance.now() - t0); return r; };
}
const phases = { load: 0, forward: 0, loss: 0, backward: 0, optimizer: 0 };
const BR = 5;
for (let r = 0; r < BR; r++) {
  const kk = it++ % NB;
  let t0 = performance.now(); engine.loadBatch(xs[kk], idx); phases.load += performance.now() - t0;
  t0 = performance.now(); engine.forward(); phases.forward += performance.now() - t0;
  t0 = performance.now(); const lr = computeLoss(loss, engine.accumulated(1), ys[kk], B, O, engine.stride(1), T); engine.setOutputGrad(lr.dAcc); phases.loss += performance.now() - t0;
  t0 = performance.now(); engine.backward(); phases.backward += performance.now() - t0;
  t0 = performance.now(); opt.step(1e9); phases.optimizer += performance.now() - t0;
}
for (const name of Object.keys(orig)) k[name] = orig[name];
const kernelMs = Object.fromEntries([...spent].map(([n, v]) => [n, +(v / BR).toFixed(2)]).sort((a, b) => b[1] - a[1]));
const phaseMs = Object.fromEntries(Object.entries(phases).map(([n, v]) => [n, +(v / BR).toFixed(2)]));

const rec = {
  name: NAME, value: +value.toFixed(1), unit: 'samples/s',
  baseline: torch ? 'pytorch' : null,
  baseline_value: torch ? +torch.value.toFixed(1) : null,
  ratio: torch ? +(value / torch.value).toFixed(2) : null,
  baseline_detail: torch ? `pytorch ${torch.torch} cpu, 1 thread, ${blas} BLAS` : null,
  baseline_blas: py ? blas : null,
  baseline_blas_libs: blasProbe?.libs ?? null,
  median_step_ms: +stepMs.toFixed(2), kept: kept.length, dropped,
  hidden_activity: +activity.toFixed(4), loss_last: +lastLoss.toFixed(4),
  torch_runs: torchRuns.length,
  torch_median_step_ms: torch ? +torch.median_step_ms.toFixed(1) : null,
  torch_run_median_step_ms: torch ? torch.runs_ms : null,
  torch_cpu_per_wall: torch ? +torch.cpu_per_wall.toFixed(2) : null,
  torch_hidden_activity: torch ? +torch.hidden_activity.toFixed(4) : null,
  torch_other_cpu_busy_pct_during: torch ? torch.other_busy : null,
  torch_skipped: torchWhy,
  loadavg_1m: [+load0[0].toFixed(2), +load1[0].toFixed(2)],
  phases_ms: phaseMs, kernels_ms: kernelMs,
  machine: machineShort(),
};
if (opts.json) emitJson(rec);
log(`${machineLine()}`);
log(`${NAME}: spikelet ${rec.value} samples/s (median step ${rec.median_step_ms} ms, ${kept.length} kept, ${dropped} dropped; hidden activity ${(100 * activity).toFixed(1)} %)`);
if (torch) {
  log(`PyTorch ${torch.torch} 1 thread, ${blas} BLAS: ${rec.baseline_value} samples/s (median of ${torchRuns.length} runs' median steps ${rec.torch_run_median_step_ms.join(' / ')} ms; ` +
    `cpu/wall ≤ ${rec.torch_cpu_per_wall}; other CPU load during ≤ ${torch.other_busy} %) -> ratio ${rec.ratio}x` +
    (blas === 'reference' ? '  ** reference BLAS: ratio not meaningful **' : ''));
} else log(`PyTorch skipped: ${torchWhy}`);
log(`load average (1 min) at start/end: ${rec.loadavg_1m.join(' / ')}`);
log(`one step by phase (ms): ${Object.entries(phaseMs).map(([n, v]) => `${n} ${v}`).join(', ')}`);
log(`by kernel (ms per step): ${Object.entries(kernelMs).map(([n, v]) => `${n} ${v}`).join(', ')}`);
