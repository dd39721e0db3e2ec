// `spikelet convert MODEL.onnx --calibration DATA.csv -o OUT.spk`: ANN → SNN conversion
// (src/convert/convert.ts) with data-based normalization on the calibration rows, then
// post-training quantization (--bits 8, default: int8 weights, int16 fixed-point state) or a
// float graph (--bits f32; .spk or .nir). Prints the scale of every layer and, for int8, the
// quantization error per layer. --bits 16 is rejected: spikelet's integer model has int8
// weights and int16 state only (there are no 16-bit weight kernels). --qat EPOCHS fine-tunes the
// converted network with fake-quantized weights on the calibration rows and their labels
// (src/convert/qat.ts) before the int8 export; MLPs only (no conv training kernels).
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { SpikeletError } from '../../errors.js';
import { readOnnx } from '../../io/onnx/read.js';
import { writeSpk } from '../../io/spk/write.js';
import { writeNir } from '../../io/nir/write.js';
import { networkSkeleton } from '../../io/spk/skeleton.js';
import { convertAnn } from '../../convert/convert.js';
import { quantizationReport } from '../../convert/ptq.js';
import { qat, type QatEpoch } from '../../convert/qat.js';
import { networkToGraph } from '../../graph/from-network.js';
import { shapeSize } from '../../io/onnx/model.js';
import { bar, numberOption } from '../util/options.js';
import { parseLabeledCsv, sliceRows, type LabeledData } from '../../convert/data.js';
import type { ConvertProgress } from '../../convert/calibrate.js';

interface ConvertCliOptions {
  calibration: string; output: string; inputScale?: string; timesteps?: string; percentile?: string; bits: string;
  normalization: string; encoding: string; readout: string; rows?: string; json?: boolean;
  qat?: string; qatLr: string; qatTimesteps: string; seed: string;
}

/** Registers `spikelet convert`. */
export function register(program: Command): void {
  program
    .command('convert')
    .description('convert an ONNX ANN (ReLU network) into a spiking network of IF neurons, normalized on calibration data')
    .argument('<model>', 'an .onnx file')
    .requiredOption('--calibration <csv>', 'calibration data: a header line, feature columns, a label column')
    .requiredOption('-o, --output <path>', 'the file to write (.spk; .nir with --bits f32)')
    .option('--input-scale <s>', 'multiply every feature by s (e.g. 0.0625 for 0..16 pixels)', '1')
    .option('--timesteps <T>', 'time steps the model is meant to run (stored as metadata; eval default)', '32')
    .option('--percentile <p>', 'percentile of ReLU activations used as each layer\'s scale (100 = max)', '99.9')
    .option('--bits <b>', '8 (int8 weights, int16 state), or f32 (float graph); 16 is not supported', '8')
    .option('--normalization <n>', 'layer or channel', 'layer')
    .option('--encoding <e>', 'analog (input current) or poisson (rate-coded spikes)', 'analog')
    .option('--readout <r>', 'membrane (count·θ + v) or spikes (spike count)', 'membrane')
    .option('--rows <a:b>', 'use only rows [a, b) of the calibration file (e.g. 0:1437)')
    .option('--qat <epochs>', 'quantization-aware fine-tuning for this many epochs on the calibration rows and labels (Linear layers only)')
    .option('--qat-lr <lr>', 'QAT learning rate (Adam)', '3e-5')
    .option('--qat-timesteps <T>', 'time steps per sample during QAT', '8')
    .option('--seed <s>', 'QAT seed (batch order)', '1')
    .option('--json', 'print a JSON summary')
    .action(async (modelPath: string, o: ConvertCliOptions) => {
      const bits = o.bits;
      if (bits === '16') {
        throw new SpikeletError('unsupported', 'convert', '--bits', '8 (int8 weights with int16 fixed-point state, the one integer model) or f32; 16-bit weights have no kernels', bits);
      }
      if (bits !== '8' && bits !== 'f32') throw new SpikeletError('invalid_param', 'convert', '--bits', '8 or f32', bits);
      const ext = extname(o.output).toLowerCase();
      if (ext !== '.spk' && !(ext === '.nir' && bits === 'f32')) {
        throw new SpikeletError('invalid_param', 'convert', '--output', bits === 'f32' ? 'a .spk or .nir path' : 'a .spk path (quantized models have no NIR form)', o.output);
      }
      const inputScale = numberOption('--input-scale', o.inputScale)!;
      const timesteps = numberOption('--timesteps', o.timesteps, 1)!;
      const percentile = numberOption('--percentile', o.percentile)!;
      const ann = await readOnnx(readBytes(modelPath, 'convert', 'model'));
      const data = loadData(o.calibration, inputScale, o.rows, shapeSize(ann.inputShape), 'convert', '--calibration');
      const bar = progressBar('calibrate');
      const converted = convertAnn(ann, {
        calibration: data.x, percentile, normalization: o.normalization as 'layer', encoding: o.encoding as 'analog',
        readout: o.readout as 'membrane', onProgress: bar,
      });
      let snn = converted;
      let qatHistory: readonly QatEpoch[] | undefined;
      if (o.qat !== undefined) {
        if (bits !== '8') throw new SpikeletError('invalid_param', 'convert', '--qat', 'only with --bits 8 (QAT trains for the int8 model)', `--bits ${bits}`);
        const epochs = numberOption('--qat', o.qat, 0)!;
        if (!Number.isInteger(epochs)) throw new SpikeletError('invalid_param', 'convert', '--qat', 'an integer number of epochs >= 0', o.qat);
        const qatT = numberOption('--qat-timesteps', o.qatTimesteps, 1)!;
        const qbar = progressBar('qat');
        const tuned = qat(converted.spec, data, {
          epochs, timesteps: Math.floor(qatT), readout: converted.readout, encoding: converted.encoding, inputMax: converted.inputMax,
          quantization: { inputScale: converted.inputScale }, optimizer: { lr: numberOption('--qat-lr', o.qatLr)! },
          seed: Math.floor(numberOption('--seed', o.seed, 0)!), onProgress: (p) => qbar({ ...p, done: p.epoch * p.total + p.done, total: p.epochs * p.total }),
        });
        qatHistory = tuned.history;
        snn = { ...converted, spec: tuned.spec, graph: networkToGraph(tuned.spec, { ...converted.graph.metadata, conversion_qat_epochs: epochs }) };
      }
      const metadata = {
        source: modelPath, conversion: {
          encoding: snn.encoding, readout: snn.readout, inputMax: snn.inputMax, featureScale: inputScale, timesteps: Math.floor(timesteps),
          percentile, normalization: o.normalization, bits, calibrationRows: data.rows,
          ...(qatHistory ? { qatEpochs: qatHistory.length } : {}),
        },
      };
      let bytes: Uint8Array;
      let report: ReturnType<typeof quantizationReport> | undefined;
      if (bits === '8') {
        const probe = data.x.subarray(0, Math.min(64, data.rows) * data.features);
        report = quantizationReport(snn.spec, {
          quantization: { inputScale: snn.inputScale }, data: probe, timesteps: Math.floor(timesteps), encoding: snn.encoding, inputMax: snn.inputMax,
        });
        bytes = writeSpk(report.quantized, { source: snn.graph, network: networkSkeleton(snn.spec), metadata });
      } else {
        const graph = { ...snn.graph, metadata: { ...snn.graph.metadata, conversion_timesteps: Math.floor(timesteps), conversion_feature_scale: inputScale } };
        bytes = ext === '.nir' ? await writeNir(graph) : writeSpk(graph, { metadata });
      }
      writeFileSync(o.output, bytes);
      const layers = snn.layers.map((l, k) => ({
        synapse: l.synapse, activation: l.activation, kind: l.kind,
        lambda: l.lambda.length === 1 ? l.lambda[0] : { min: Math.min(...l.lambda), max: Math.max(...l.lambda) },
        ...(report ? {
          weightRelError: report.layers[k].weightRelError, weightMaxError: report.layers[k].weightMaxError,
          biasMaxError: report.layers[k].biasMaxError, rateError: report.layers[k].rateError, rate: report.layers[k].rate,
        } : {}),
      }));
      const summary = { in: modelPath, out: o.output, bits, bytes: bytes.length, encoding: snn.encoding, readout: snn.readout, inputMax: snn.inputMax,
        calibrationRows: data.rows, layers, notes: snn.notes, ...(qatHistory ? { qat: qatHistory } : {}) };
      if (o.json) {
        process.stdout.write(JSON.stringify(summary) + '\n');
        return;
      }
      const lines = [`wrote ${o.output} (${bits === '8' ? 'int8 weights, int16 state' : 'float graph'}, ${bytes.length} bytes)`,
        `calibration: ${data.rows} rows; encoding ${snn.encoding}, readout ${snn.readout}`];
      for (const l of layers) {
        const lam = typeof l.lambda === 'number' ? l.lambda.toPrecision(4) : `${l.lambda.min.toPrecision(3)}..${l.lambda.max.toPrecision(3)}`;
        const q = report ? `  weight error ${(100 * (l.weightRelError ?? 0)).toFixed(2)}% (rel. RMS), rate error ${(l.rateError ?? 0).toFixed(4)} of ${(l.rate ?? 0).toFixed(3)} spikes/step` : '';
        lines.push(`  ${l.kind.padEnd(6)} ${l.synapse}: λ = ${lam}${q}`);
      }
      for (const h of qatHistory ?? []) lines.push(`  qat epoch ${h.epoch + 1}: loss ${h.loss.toFixed(4)}, train accuracy ${(100 * h.accuracy).toFixed(2)}% (int8 weights)`);
      for (const n of snn.notes) lines.push(`note: ${n}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/** Reads a file for a command, as a typed error when it cannot. */
export function readBytes(path: string, where: string, field: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new SpikeletError('invalid_param', where, field, 'a readable file', `${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Reads a labeled CSV for `convert` / `eval`: features × `scale`, rows `[a, b)` of `--rows a:b`,
 * and checks the feature count against the model's input size.
 */
export function loadData(path: string, scale: number, rows: string | undefined, inputSize: number, where: string, field: string): LabeledData {
  const text = new TextDecoder().decode(readBytes(path, where, field));
  let d = parseLabeledCsv(text, { inputScale: scale, source: path });
  if (rows !== undefined) {
    const m = /^(\d*):(\d*)$/.exec(rows);
    if (!m) throw new SpikeletError('invalid_param', where, '--rows', 'START:END (either may be empty), e.g. 1437:', rows);
    d = sliceRows(d, m[1] ? Number(m[1]) : 0, m[2] ? Number(m[2]) : d.rows);
    if (d.rows === 0) throw new SpikeletError('invalid_param', where, '--rows', 'a non-empty range of rows', rows);
  }
  if (d.features !== inputSize) {
    throw new SpikeletError('shape_mismatch', where, `${field} columns`, `${inputSize} feature columns (the model's input size) and a label`, d.features);
  }
  return d;
}

/** A progress callback that draws a bar on stderr when it is a terminal (nothing otherwise). */
export function progressBar(label: string): (p: ConvertProgress) => void {
  const tty = process.stderr.isTTY === true;
  return (p) => {
    if (!tty) return;
    process.stderr.write(`\r${label} ${bar(p.done, p.total, 30)} ${p.done}/${p.total}`);
    if (p.done >= p.total) process.stderr.write('\n');
  };
}
