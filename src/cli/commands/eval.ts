// `spikelet eval MODEL --data DATA.csv`: classification accuracy on labeled rows. An .onnx model
// is evaluated as the float ANN (our f32 runner); a .spk / .nir SNN runs on a Plan for T steps
// (or each T of --sweep, read from one run of the largest): a quantized .spk on the int8 Plan
// as stored, a float graph in f32 (or --precision int8 to quantize it on the fly). Encoding and
// readout default to what `spikelet convert` stored in the file's metadata.
import type { Command } from 'commander';
import { extname } from 'node:path';
import { SpikeletError } from '../../errors.js';
import { readOnnx, isOnnx } from '../../io/onnx/read.js';
import { shapeSize } from '../../io/onnx/model.js';
import { AnnRunner, accuracyOf } from '../../convert/ann.js';
import { evaluateSnn, type SnnAccuracy } from '../../convert/evaluate.js';
import { graphToNetwork } from '../../graph/lower.js';
import { skeletonToSpec } from '../../io/spk/skeleton.js';
import type { NetworkSpec } from '../../runtime/network.js';
import type { QuantizedNetwork } from '../../quant/quantize.js';
import { inputSizeOf, loadModel } from '../util/model.js';
import { numberOption, resetOption } from '../util/options.js';
import { loadData, progressBar, readBytes } from './convert.js';

interface EvalCliOptions {
  data: string; inputScale?: string; timesteps?: string; sweep?: string; json?: boolean; rows?: string;
  precision?: string; encoding?: string; readout?: string; reset?: string; seed?: string;
}

/** Registers `spikelet eval`. */
export function register(program: Command): void {
  program
    .command('eval')
    .description('classification accuracy of a model on labeled CSV rows (.onnx: the float ANN; .spk/.nir: the SNN over T steps)')
    .argument('<model>', 'an .onnx, .spk or .nir file')
    .requiredOption('--data <csv>', 'labeled data: a header line, feature columns, a label column')
    .option('--input-scale <s>', 'multiply every feature by s (default 1, or what convert stored)')
    .option('--timesteps <T>', 'steps per sample (default: stored by convert, else 32)')
    .option('--sweep <list>', 'comma-separated T values, e.g. 4,8,16,32,64,128 (one run of the largest)')
    .option('--rows <a:b>', 'evaluate rows [a, b) only (e.g. 1437: for the digits test split)')
    .option('--precision <p>', 'float graphs: f32 (default) or int8 (quantized on the fly)')
    .option('--encoding <e>', 'analog or poisson (default: stored by convert, else analog)')
    .option('--readout <r>', 'membrane or spikes (default: stored by convert, else membrane)')
    .option('--reset <mode>', 'reset of spiking nodes lacking one (default subtract for converted models, else zero)')
    .option('--seed <n>', 'seed of Poisson spike trains', '1')
    .option('--json', 'one JSON object per line: {"accuracy", "n", "timesteps"}')
    .action(async (modelPath: string, o: EvalCliOptions) => {
      const bytes = readBytes(modelPath, 'eval', 'model');
      const emit = (rows: (SnnAccuracy | { accuracy: number; n: number; timesteps: null })[], engine: string) => {
        if (o.json) {
          for (const r of rows) process.stdout.write(JSON.stringify({ accuracy: r.accuracy, n: r.n, timesteps: r.timesteps, engine }) + '\n');
          return;
        }
        const lines = [`engine: ${engine}`];
        for (const r of rows) lines.push(`${r.timesteps === null ? 'ANN' : `T = ${String(r.timesteps).padStart(4)}`}: accuracy ${(100 * r.accuracy).toFixed(2)}% (${Math.round(r.accuracy * r.n)}/${r.n})`);
        process.stdout.write(lines.join('\n') + '\n');
      };
      if (extname(modelPath).toLowerCase() === '.onnx' || isOnnx(bytes)) {
        const ann = await readOnnx(bytes);
        const data = loadData(o.data, numberOption('--input-scale', o.inputScale) ?? 1, o.rows, shapeSize(ann.inputShape), 'eval', '--data');
        const acc = accuracyOf(new AnnRunner(ann).run(data.x), data.labels, shapeSize(ann.outputShape));
        emit([{ accuracy: acc, n: data.rows, timesteps: null }], 'ann-f32');
        return;
      }
      const m = await loadModel(modelPath);
      const meta = (m.kind === 'quantized' ? m.spk.metadata : m.metadata) as Record<string, unknown>;
      const conv = (meta.conversion ?? {}) as Record<string, unknown>;
      const g = m.kind === 'graph' ? m.graph.metadata : {};
      const stored = <T>(key: string, graphKey: string): T | undefined => (conv[key] ?? (g as Record<string, unknown>)[graphKey]) as T | undefined;
      const converted = conv.encoding !== undefined || (g as Record<string, unknown>).conversion_encoding !== undefined;
      const scale = numberOption('--input-scale', o.inputScale) ?? stored<number>('featureScale', 'conversion_feature_scale') ?? 1;
      const T = numberOption('--timesteps', o.timesteps, 1) ?? stored<number>('timesteps', 'conversion_timesteps') ?? 32;
      const sweep = o.sweep === undefined ? [Math.floor(T)] : o.sweep.split(',').map((s) => {
        const v = Number(s.trim());
        if (!Number.isInteger(v) || v < 1) throw new SpikeletError('invalid_param', 'eval', '--sweep', 'comma-separated integers >= 1', o.sweep);
        return v;
      });
      const encoding = (o.encoding ?? stored<string>('encoding', 'conversion_encoding') ?? 'analog') as 'analog';
      const readout = (o.readout ?? stored<string>('readout', 'conversion_readout') ?? 'membrane') as 'membrane';
      const inputMax = stored<number>('inputMax', 'conversion_input_max') ?? 1;
      const data = loadData(o.data, scale, o.rows, inputSizeOf(m), 'eval', '--data');
      let spec: NetworkSpec, quantized: QuantizedNetwork | undefined, precision: 'f32' | 'int8';
      if (m.kind === 'quantized') {
        const network = m.spk.kind === 'quantized' ? m.spk.network : undefined;
        if (!network) throw new SpikeletError('unsupported', 'eval', 'model', 'a quantized .spk with its network structure (written by convert or export)', modelPath);
        spec = skeletonToSpec(network);
        quantized = m.quantized;
        precision = 'int8';
      } else {
        spec = graphToNetwork(m.graph, { reset: resetOption(o.reset) ?? (converted ? 'subtract' : 'zero') });
        precision = (o.precision ?? 'f32') as 'f32';
        if (precision !== 'f32' && precision !== 'int8') throw new SpikeletError('invalid_param', 'eval', '--precision', 'f32 or int8', o.precision);
      }
      const r = evaluateSnn(spec, data, {
        timesteps: sweep, precision, encoding, readout, inputMax, seed: numberOption('--seed', o.seed) ?? 1,
        ...(quantized ? { quantized } : precision === 'int8' ? { quantization: { inputScale: inputMax / 127 } } : {}),
        onProgress: progressBar('evaluate'),
      });
      emit([...r.results], precision === 'int8' ? 'plan-int8' : 'plan-f32');
    });
}
