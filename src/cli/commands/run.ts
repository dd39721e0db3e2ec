// `spikelet run FILE --input INPUT`: runs a .nir or .spk model on an input sequence and prints
// the output layer's spikes per step and in total. A graph runs on a compiled Plan when it
// lowers to one, else on the float simulator; a quantized .spk on the integer reference model
// (bit-exact with the int8 Plan). The engine that ran is always reported.
import type { Command } from 'commander';
import { SpikeletError } from '../../errors.js';
import { inputSizeOf, loadModel, readInput, runModel, toSequence } from '../util/model.js';
import { numberOption, resetOption } from '../util/options.js';

interface RunOptions {
  input: string; steps?: string; json?: boolean; dt?: string; reset?: string;
  engine?: string; precision?: string; inputScale?: string;
}

/** Registers `spikelet run`. */
export function register(program: Command): void {
  program
    .command('run')
    .description('run a .nir or .spk model on an input sequence (CSV rows or a JSON array of arrays) and count output spikes')
    .argument('<file>', 'a .nir or .spk model')
    .requiredOption('--input <path>', 'input sequence: CSV (one row per step) or JSON [[...], ...]')
    .option('--steps <n>', 'number of steps (the input is truncated or padded with zeros)')
    .option('--dt <seconds>', 'time step (NIR files do not store one; default 1e-4)')
    .option('--reset <mode>', 'reset of spiking nodes: zero (NIR, default) or subtract')
    .option('--engine <engine>', 'auto (Plan if it compiles, else simulator), plan or simulator', 'auto')
    .option('--precision <p>', 'Plan precision for float models: f32 or int8', 'f32')
    .option('--input-scale <x>', 'int8 Plan: value of one input step (default 1/127)')
    .option('--json', 'print one JSON object')
    .action(async (file: string, o: RunOptions) => {
      const dt = numberOption('--dt', o.dt, Number.MIN_VALUE);
      const steps = numberOption('--steps', o.steps, 1);
      if (o.engine !== 'auto' && o.engine !== 'plan' && o.engine !== 'simulator') {
        throw new SpikeletError('invalid_param', 'run', '--engine', 'auto, plan or simulator', o.engine);
      }
      if (o.precision !== 'f32' && o.precision !== 'int8') throw new SpikeletError('invalid_param', 'run', '--precision', 'f32 or int8', o.precision);
      const m = await loadModel(file, dt === undefined ? {} : { dt });
      const n = inputSizeOf(m);
      const { seq, T } = toSequence(readInput(o.input), n, steps === undefined ? undefined : Math.floor(steps));
      const r = runModel(m, seq, T, {
        engine: o.engine, precision: o.precision, reset: resetOption(o.reset), dt,
        inputScale: numberOption('--input-scale', o.inputScale, Number.MIN_VALUE),
      });
      const N = r.outputSize;
      const spikes: number[][] = [];
      const counts = new Array<number>(N).fill(0);
      const perStep: number[] = [];
      for (let t = 0; t < T; t++) {
        const row = Array.from(r.output.subarray(t * N, (t + 1) * N));
        spikes.push(row);
        let c = 0;
        row.forEach((v, i) => {
          if (r.spiking) { counts[i] += v; c += v; } else counts[i] += v;
        });
        perStep.push(c);
      }
      const total = counts.reduce((a, b) => a + b, 0);
      if (o.json) {
        process.stdout.write(JSON.stringify({
          engine: r.engine, steps: T, spiking: r.spiking, output_counts: counts, counts_per_step: perStep, total,
          output_spikes: spikes, ...(r.fallbackReason ? { fallback_reason: r.fallbackReason } : {}),
        }) + '\n');
        return;
      }
      const lines = [`engine: ${r.engine}${r.fallbackReason ? ` (Plan not used: ${r.fallbackReason})` : ''}`, `steps: ${T}, outputs: ${N}`];
      if (r.spiking) {
        for (let t = 0; t < T; t++) if (perStep[t] > 0) lines.push(`  step ${t}: ${perStep[t]} spike(s) [${spikes[t].flatMap((v, i) => (v ? [i] : [])).join(' ')}]`);
        lines.push(`spikes per output: ${counts.join(' ')}`, `total spikes: ${total}`);
      } else {
        lines.push(`output is not spiking (a readout); sum over steps per output: ${counts.map((c) => c.toPrecision(4)).join(' ')}`);
      }
      process.stdout.write(lines.join('\n') + '\n');
    });
}
