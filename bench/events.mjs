#!/usr/bin/env node
// Event-driven vs dense synaptic updates: time per step against input activity.
//
// Cases: Linear 1024→1024 and 700→128 (each driving a LIF layer), and a 2-layer conv net
// (2×34×34 input → conv 16@3×3 stride 2 → IF → conv 32@3×3 → IF). Activities 0.1 … 50 %.
// For each case and activity, interleaved in one process and probe-filtered (bench/lib/timing.mjs):
//   dense:    an int8 Plan compiled with eventDriven 'off' (dense SIMD matmul every step);
//   events:   the same Plan with eventDriven 'always' (spike compaction + presynaptic-major rows);
//   plain-js: the same layer in plain JavaScript, event-driven (the best a JS loop can do at low
//             activity: add the weight row of each active input), f32.
// Two figures per point: the whole plan step (input conversion, synapse, requantization, cell
// update, recording into reused output arrays) and the synaptic op alone (the kernel the Plan calls, on the layer's own
// weights). Ratios are speed-ups (baseline time / events time). Hot cache: the weights stay in
// L2/L3 between steps, as they do when a plan runs.
// Usage: node bench/events.mjs [--json] [--quick] [--filter SUBSTRING]
import { parseArgs, selected, log, emitJson, formatTable, fmt3, round3 } from './lib/cli.mjs';
import { makeProbe, warmUp, measureInterleaved, callsFor } from './lib/timing.mjs';
import { machineLine } from './lib/machine.mjs';
import { rng } from './lib/baselines.mjs';
import { Runtime, compile } from '../dist/index.js';

const opts = parseArgs();
const ACTIVITIES = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];
const aName = (a) => `a${+(a * 100).toFixed(1)}`;

function linearCase(inN, outN) {
  const r = rng(inN * 7 + outN);
  const w = Float32Array.from({ length: inN * outN }, () => (r() * 2 - 1) * 0.05);
  return {
    label: `${outN}x${inN}`, inputSize: inN,
    spec: { inputSize: inN, layers: [{ type: 'linear', outFeatures: outN, weight: w }, { type: 'lif', tau: 0.01 }] },
    js: linearJs(w, inN, outN),
  };
}

function convCase() {
  const r = rng(34);
  const w1 = Float32Array.from({ length: 16 * 2 * 9 }, () => (r() * 2 - 1) * 0.5);
  const w2 = Float32Array.from({ length: 32 * 16 * 9 }, () => (r() * 2 - 1) * 0.3);
  return {
    label: 'conv2x34x34', inputSize: 2 * 34 * 34,
    spec: { inputSize: 2 * 34 * 34, inputShape: [2, 34, 34], layers: [
      { type: 'conv2d', outChannels: 16, kernelSize: [3, 3], stride: [2, 2], padding: [1, 1], weight: w1 },
      { type: 'if', r: 1000 },
      { type: 'conv2d', outChannels: 32, kernelSize: [3, 3], padding: [1, 1], weight: w2 },
      { type: 'if', r: 1000 }] },
    js: convJs(w1, w2),
  };
}

/** Plain-JS event-driven Linear + LIF step (f32 typed arrays). */
function linearJs(w, inN, outN) {
  const wt = new Float32Array(inN * outN);
  for (let o = 0; o < outN; o++) for (let i = 0; i < inN; i++) wt[i * outN + o] = w[o * inN + i];
  const cur = new Float32Array(outN), v = new Float32Array(outN), spk = new Uint8Array(outN);
  return (x) => {
    cur.fill(0);
    for (let i = 0; i < inN; i++) {
      if (x[i] === 0) continue;
      const row = i * outN;
      for (let o = 0; o < outN; o++) cur[o] += wt[row + o];
    }
    for (let o = 0; o < outN; o++) {
      const u = v[o] * 0.9 + cur[o] * 0.1;
      spk[o] = u > 1 ? 1 : 0;
      v[o] = u > 1 ? u - 1 : u;
    }
    return spk;
  };
}

/** Plain-JS event-driven conv net step: each spike scatters its kernel into the output window. */
function convJs(w1, w2) {
  const layer = (w, C, H, W, O, stride, pad) => {
    const OH = Math.floor((H + 2 * pad - 3) / stride) + 1, OW = Math.floor((W + 2 * pad - 3) / stride) + 1;
    const cur = new Float32Array(O * OH * OW), v = new Float32Array(O * OH * OW), spk = new Uint8Array(O * OH * OW);
    return (x) => {
      cur.fill(0);
      for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
        if (x[(c * H + y) * W + xx] === 0) continue;
        for (let ky = 0; ky < 3; ky++) {
          const ny = y + pad - ky;
          if (ny < 0 || ny % stride) continue;
          const oy = ny / stride;
          if (oy >= OH) continue;
          for (let kx = 0; kx < 3; kx++) {
            const nx = xx + pad - kx;
            if (nx < 0 || nx % stride) continue;
            const ox = nx / stride;
            if (ox >= OW) continue;
            for (let o = 0; o < O; o++) cur[(o * OH + oy) * OW + ox] += w[((o * C + c) * 3 + ky) * 3 + kx];
          }
        }
      }
      for (let k = 0; k < v.length; k++) {
        const u = v[k] + cur[k];
        spk[k] = u > 1 ? 1 : 0;
        v[k] = u > 1 ? u - 1 : u;
      }
      return spk;
    };
  };
  const l1 = layer(w1, 2, 34, 34, 16, 2, 1), l2 = layer(w2, 16, 17, 17, 32, 1, 1);
  return (x) => l2(l1(x));
}

const rt = await Runtime.create();
const cases = [linearCase(1024, 1024), linearCase(700, 128), convCase()];
const T = opts.quick ? 20 : 50;
const warm = opts.quick ? { minMs: 150, maxMs: 600 } : { minMs: 400, maxMs: 2000 };
const measureOpts = opts.quick ? { minKept: 3, maxReps: 6 } : { minKept: 9, maxReps: 25 };
const rows = [['case', 'activity', 'dense µs', 'events µs', 'JS µs', 'speed-up', 'vs JS', 'syn dense', 'syn events', 'syn speed-up']];
const probe = makeProbe();
probe.warm(opts.quick ? 100 : 300);
log(`bench/events: ${machineLine()}; int8 plans, batch 1, ${T} steps per call; µs per step`);

for (const c of cases) {
  // Spike-train input (`input: 'spikes'`): 0/1 bytes, no input quantization.
  const dense = compile(rt, c.spec, { eventDriven: 'off', input: 'spikes' });
  const events = compile(rt, c.spec, { eventDriven: 'always', input: 'spikes' });
  const auto = compile(rt, c.spec, { input: 'spikes' }); // calibrated crossover
  const cal = auto.calibrate({ fresh: true })[0];
  const curve = [];
  for (const a of ACTIVITIES) {
    const name = `events_i8/${c.label}/${aName(a)}`;
    if (!selected(opts, name)) continue;
    const r = rng(Math.round(a * 1e4) + c.inputSize);
    const x = Float32Array.from({ length: T * c.inputSize }, () => (r() < a ? 1 : 0));
    const steps = Array.from({ length: T }, (_, t) => x.subarray(t * c.inputSize, (t + 1) * c.inputSize));
    // Correctness guard: the two integer paths must agree exactly.
    dense.reset(); events.reset();
    const rd = dense.run(x), re = events.run(x);
    if (rd.spikes.some((s, i) => s !== re.spikes[i]) || rd.membrane.some((m, i) => !Object.is(m, re.membrane[i]))) {
      throw new Error(`${name}: event path differs from dense path`);
    }
    const impls = [
      { name: 'dense', fn: () => dense.run(x, { out: rd }) },
      { name: 'events', fn: () => events.run(x, { out: re }) },
      { name: 'plain-js', fn: () => { for (const s of steps) c.js(s); } },
    ];
    for (const impl of impls) impl.calls = callsFor((await warmUp(impl, warm)).perCallMs, opts.quick ? 20 : 60);
    const m = await measureInterleaved(impls, probe, measureOpts);
    const us = (k) => (m.msPerCall[k] * 1000) / T;
    const [d, e, j] = [us('dense'), us('events'), us('plain-js')];
    const point = cal.curve.reduce((best, p) => (Math.abs(p.activity - a) < Math.abs(best.activity - a) ? p : best), cal.curve[0]);
    curve.push({ a, d, e, j });
    rows.push([c.label, `${+(a * 100).toFixed(1)} %`, fmt3(d), fmt3(e), fmt3(j), fmt3(d / e) + '×', fmt3(j / e) + '×',
      point.activity === a ? fmt3(point.denseUs) : '', point.activity === a ? fmt3(point.eventsUs) : '',
      point.activity === a ? fmt3(point.denseUs / point.eventsUs) + '×' : '']);
    if (opts.json) {
      const base = { name, value: round3(e), unit: 'us/step', machine: machineLine(), kept: m.kept, dropped: m.dropped };
      emitJson({ ...base, baseline: 'dense', baseline_value: round3(d), ratio: round3(d / e) });
      emitJson({ ...base, baseline: 'plain-js', baseline_value: round3(j), ratio: round3(j / e) });
      if (point.activity === a) {
        emitJson({ name: `events_i8_synapse/${c.label}/${aName(a)}`, value: round3(point.eventsUs), unit: 'us/step',
          baseline: 'dense', baseline_value: round3(point.denseUs), ratio: round3(point.denseUs / point.eventsUs), machine: machineLine() });
      }
    }
  }
  // Where whole-step times cross, interpolated; and what calibration stored in the plan.
  let crossing = null;
  for (let k = 1; k < curve.length; k++) {
    const p = curve[k - 1], q = curve[k];
    if (p.e < p.d && q.e >= q.d) {
      crossing = p.a + ((q.a - p.a) * (p.d - p.e)) / ((p.d - p.e) + (q.e - q.d));
      break;
    }
  }
  const msg = `${c.label}: step-time crossover ${crossing === null ? (curve.length && curve.at(-1).e < curve.at(-1).d ? '> 50 %' : 'n/a') : (crossing * 100).toFixed(1) + ' %'}; calibrated synapse crossover stored in the plan: ${(cal.crossover * 100).toFixed(1)} %`;
  if (opts.json) emitJson({ name: `events_crossover/${c.label}`, value: round3(cal.crossover * 100), unit: '% activity', step_crossover: crossing === null ? null : round3(crossing * 100), machine: machineLine() });
  else log(msg);
}
if (!opts.json) {
  process.stdout.write(`\nEvent-driven vs dense, int8, batch 1 (${machineLine()})\n`);
  process.stdout.write('dense/events/JS: µs per whole plan step; syn: the synaptic op alone (µs per step, from calibration)\n');
  process.stdout.write(formatTable(rows, 2) + '\n');
}
