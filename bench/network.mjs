#!/usr/bin/env node
// Whole-network step time: the demo network of `npm start` (128 inputs → 256 recurrent LIF →
// 128 CuBaLIF → 10 LI, Poisson input at 5 %), as int8 and f32 Plans at batch 1 and 64, beside
// the same network written plainly in JavaScript (f32 typed arrays, dense loops), interleaved in
// one process and probe-filtered (bench/lib/timing.mjs). Figures are µs per sample-step;
// ratio = plain-JS time / spikelet time. The int8 plans use their calibrated dense/event choice.
// Usage: node bench/network.mjs [--json] [--quick] [--filter SUBSTRING]
import { parseArgs, selected, log, emitJson, formatTable, fmt3, round3 } from './lib/cli.mjs';
import { makeProbe, warmUp, measureInterleaved, callsFor } from './lib/timing.mjs';
import { machineLine } from './lib/machine.mjs';
import { rng } from './lib/baselines.mjs';
import { Runtime, compile } from '../dist/index.js';

const opts = parseArgs();
const r = rng(1);
const w = (n, s) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
const W1 = w(256 * 128, 4), R1 = w(256 * 256, 0.6), W2 = w(128 * 256, 3), W3 = w(10 * 128, 1);
const spec = {
  inputSize: 128, dt: 1e-3,
  layers: [
    { type: 'linear', outFeatures: 256, weight: W1 }, { type: 'lif', tau: 0.01, recurrent: R1 },
    { type: 'linear', outFeatures: 128, weight: W2 }, { type: 'cubalif', tauSyn: 0.005, tauMem: 0.01 },
    { type: 'linear', outFeatures: 10, weight: W3 }, { type: 'li', tau: 0.02 },
  ],
};

/** The same network in plain JavaScript, batch B, f32 arrays, one step per call. */
function plainJs(B) {
  const v1 = new Float32Array(B * 256), s1 = new Float32Array(B * 256), c1 = new Float32Array(256);
  const i2 = new Float32Array(B * 128), v2 = new Float32Array(B * 128), s2 = new Float32Array(B * 128), c2 = new Float32Array(128);
  const v3 = new Float32Array(B * 10), c3 = new Float32Array(10);
  const dense = (W, x, xo, nIn, y, nOut) => {
    for (let o = 0; o < nOut; o++) {
      let acc = 0;
      const row = o * nIn;
      for (let i = 0; i < nIn; i++) acc += W[row + i] * x[xo + i];
      y[o] += acc;
    }
  };
  return (x) => {
    for (let b = 0; b < B; b++) {
      c1.fill(0);
      dense(W1, x, b * 128, 128, c1, 256);
      dense(R1, s1, b * 256, 256, c1, 256);
      for (let o = 0; o < 256; o++) {
        const k = b * 256 + o, u = v1[k] * 0.9 + c1[o] * 0.1;
        s1[k] = u > 1 ? 1 : 0;
        v1[k] = u > 1 ? u - 1 : u;
      }
      c2.fill(0);
      dense(W2, s1, b * 256, 256, c2, 128);
      for (let o = 0; o < 128; o++) {
        const k = b * 128 + o;
        i2[k] = i2[k] * 0.8 + c2[o] * 0.2;
        const u = v2[k] * 0.9 + i2[k] * 0.1;
        s2[k] = u > 1 ? 1 : 0;
        v2[k] = u > 1 ? u - 1 : u;
      }
      c3.fill(0);
      dense(W3, s2, b * 128, 128, c3, 10);
      for (let o = 0; o < 10; o++) v3[b * 10 + o] = v3[b * 10 + o] * 0.95 + c3[o] * 0.05;
    }
    return v3;
  };
}

const rt = await Runtime.create();
const T = opts.quick ? 20 : 100;
const warm = opts.quick ? { minMs: 150, maxMs: 600 } : { minMs: 500, maxMs: 2500 };
const probe = makeProbe();
probe.warm(opts.quick ? 100 : 300);
const rows = [['case', 'spikelet µs/sample-step', 'plain JS', 'ratio']];
log(`bench/network: ${machineLine()}`);
for (const B of [1, 64]) {
  const x = Float32Array.from({ length: T * B * 128 }, () => (r() < 0.05 ? 1 : 0));
  const steps = Array.from({ length: T }, (_, t) => x.subarray(t * B * 128, (t + 1) * B * 128));
  const js = plainJs(B);
  for (const precision of ['int8', 'f32']) {
    const name = `network_step_${precision === 'int8' ? 'i8' : 'f32'}/demo/b${B}`;
    if (!selected(opts, name)) continue;
    const plan = compile(rt, spec, { precision, batch: B, input: 'spikes' });
    const out = plan.run(x);
    const impls = [
      { name: 'spikelet', fn: () => plan.run(x, { out }) },
      { name: 'plain-js', fn: () => { for (const s of steps) js(s); } },
    ];
    for (const impl of impls) impl.calls = callsFor((await warmUp(impl, warm)).perCallMs, opts.quick ? 20 : 80);
    const m = await measureInterleaved(impls, probe, opts.quick ? { minKept: 3, maxReps: 6 } : { minKept: 9, maxReps: 25 });
    const us = (k) => (m.msPerCall[k] * 1000) / (T * B);
    const [s, j] = [us('spikelet'), us('plain-js')];
    rows.push([name, fmt3(s), fmt3(j), fmt3(j / s) + '×']);
    if (opts.json) emitJson({ name, value: round3(s), unit: 'us/sample-step', baseline: 'plain-js', baseline_value: round3(j), ratio: round3(j / s), machine: machineLine(), kept: m.kept, dropped: m.dropped });
  }
}
if (!opts.json) {
  process.stdout.write(`\nDemo network (128 → 256 rec LIF → 128 CuBaLIF → 10 LI), ${machineLine()}\n`);
  process.stdout.write(formatTable(rows) + '\n');
}
