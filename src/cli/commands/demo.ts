// `spikelet demo` (and `npm start`): builds a recurrent spiking network, runs it on generated
// Poisson input in int8 and f32, and prints what a user wants to see first: spikes per layer,
// time per step, and how closely the deployable int8 model follows the float one.
import type { Command } from 'commander';
import { Runtime } from '../../runtime/runtime.js';
import { compile, type Plan, type RunResult } from '../../runtime/plan.js';
import type { NetworkSpec } from '../../runtime/network.js';
import { seededRandom } from '../../util/random.js';
import { intOption } from '../util/options.js';

interface DemoOptions { steps: string; seed: string; json?: boolean }

function demoNetwork(seed: number): NetworkSpec {
  const r = seededRandom(seed);
  const w = (n: number, scale: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
  return {
    inputSize: 128, dt: 1e-3,
    layers: [
      { type: 'linear', outFeatures: 256, weight: w(256 * 128, 4) },
      { type: 'lif', tau: 0.01, vThreshold: 1, recurrent: w(256 * 256, 0.6) },
      { type: 'linear', outFeatures: 128, weight: w(128 * 256, 3) },
      { type: 'cubalif', tauSyn: 0.005, tauMem: 0.01, vThreshold: 1 },
      { type: 'linear', outFeatures: 10, weight: w(10 * 128, 1) },
      { type: 'li', tau: 0.02 },
    ],
  };
}

function poisson(seed: number, T: number, B: number, n: number, rate: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: T * B * n }, () => (r() < rate ? 1 : 0));
}

/** Median µs per step of `plan.run` over a few repetitions (after a warm-up run). */
function timePerStep(plan: Plan, x: Float32Array, T: number): number {
  plan.run(x);
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    plan.reset();
    const t0 = performance.now();
    plan.run(x);
    times.push(((performance.now() - t0) * 1000) / T);
  }
  return times.sort((a, b) => a - b)[2];
}

function agreement(a: RunResult, b: RunResult, B: number, n: number) {
  const layers = a.layerSpikes.map((s, l) => {
    let same = 0;
    for (let i = 0; i < s.length; i++) same += s[i] === b.layerSpikes[l][i] ? 1 : 0;
    return same / s.length;
  });
  let decisions = 0;
  const T = a.steps;
  for (let s = 0; s < B; s++) {
    const sa = new Float64Array(n), sb = new Float64Array(n);
    for (let t = 0; t < T; t++) for (let o = 0; o < n; o++) {
      sa[o] += a.membrane[(t * B + s) * n + o];
      sb[o] += b.membrane[(t * B + s) * n + o];
    }
    decisions += sa.indexOf(Math.max(...sa)) === sb.indexOf(Math.max(...sb)) ? 1 : 0;
  }
  return { spikeBits: layers, readoutDecisions: decisions / B };
}

/** Runs the demo and returns its report (also used by tests). */
export async function runDemo(steps: number, seed: number) {
  const rt = await Runtime.create();
  const spec = demoNetwork(seed);
  const B = 16;
  const x1 = poisson(seed + 1, steps, 1, 128, 0.05);
  const xB = poisson(seed + 2, steps, B, 128, 0.05);
  const report: Record<string, unknown> = { network: '128 → 256 LIF (recurrent) → 128 CuBaLIF → 10 LI', steps, inputRate: 0.05 };
  const results: Record<string, RunResult> = {};
  for (const precision of ['int8', 'f32'] as const) {
    // Poisson spike trains: `input: 'spikes'` reads them as 0/1 without quantization.
    const one = compile(rt, spec, { precision, batch: 1, input: 'spikes' });
    const many = compile(rt, spec, { precision, batch: B, input: 'spikes' });
    const r = many.run(xB);
    results[precision] = r;
    report[precision] = {
      spikesPerLayer: r.layerSpikes.map((s) => s.reduce((p, q) => p + q, 0)),
      ratePerLayer: r.layerSpikes.map((s, l) => +(s.reduce((p, q) => p + q, 0) / (steps * B * many.layers[l].size)).toFixed(4)),
      usPerStepBatch1: +timePerStep(one, x1, steps).toFixed(2),
      usPerSampleStepBatch16: +(timePerStep(many, xB, steps) / B).toFixed(2),
    };
  }
  report.agreement = agreement(results.int8, results.f32, B, 10);
  return report;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('run a recurrent spiking network on generated input in int8 and f32, and compare them')
    .option('--steps <n>', 'time steps', '1000')
    .option('--seed <s>', 'random seed', '1')
    .option('--json', 'print one JSON object')
    .action(async (o: DemoOptions) => {
      const steps = intOption('spikelet demo', 'steps', o.steps, 1)!, seed = intOption('spikelet demo', 'seed', o.seed, 0)!;
      const r = await runDemo(steps, seed) as Record<string, any>;
      if (o.json) {
        process.stdout.write(JSON.stringify(r) + '\n');
        return;
      }
      const line = (s = '') => process.stdout.write(s + '\n');
      line(`spikelet demo: ${r.network}`);
      line(`${r.steps} steps of Poisson input at ${r.inputRate * 100} % per input, batch 16`);
      line();
      const names = ['LIF (256, recurrent)', 'CuBaLIF (128)'];
      const row = (label: string, a: string, b: string) => line(`${label.padEnd(34)}${a.padStart(18)}${b.padStart(18)}`);
      const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
      row('', 'int8', 'f32');
      names.slice(0, 2).forEach((n, l) => row(`spikes, ${n}`, `${r.int8.spikesPerLayer[l]} (${pct(r.int8.ratePerLayer[l])})`, `${r.f32.spikesPerLayer[l]} (${pct(r.f32.ratePerLayer[l])})`));
      row('time per step, batch 1', `${r.int8.usPerStepBatch1.toFixed(1)} µs`, `${r.f32.usPerStepBatch1.toFixed(1)} µs`);
      row('time per sample-step, batch 16', `${r.int8.usPerSampleStepBatch16.toFixed(1)} µs`, `${r.f32.usPerSampleStepBatch16.toFixed(1)} µs`);
      line();
      line('int8 vs f32 agreement');
      names.slice(0, 2).forEach((n, l) => line(`  identical spike bits, ${n.padEnd(22)}${(r.agreement.spikeBits[l] * 100).toFixed(2)} %`));
      line(`  same readout decision (argmax of summed membrane): ${(r.agreement.readoutDecisions * 100).toFixed(1)} % of samples`);
    });
}
