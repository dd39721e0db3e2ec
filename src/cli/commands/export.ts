// `spikelet export IN OUT`: converts between .nir and .spk (by OUT's extension) as a float
// graph, or with `--quantize int8` writes a deployable .spk holding the integer model.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { SpikeletError } from '../../errors.js';
import { graphToNetwork } from '../../graph/lower.js';
import { writeNir } from '../../io/nir/write.js';
import { writeSpk } from '../../io/spk/write.js';
import { networkSkeleton } from '../../io/spk/skeleton.js';
import { quantizeNetwork } from '../../quant/quantize.js';
import { validateNetwork } from '../../runtime/network.js';
import { loadModel } from '../util/model.js';
import { numberOption, resetOption } from '../util/options.js';

interface ExportOptions { quantize?: string; dt?: string; reset?: string; inputScale?: string; gzip?: boolean; json?: boolean }

/** Registers `spikelet export`. */
export function register(program: Command): void {
  program
    .command('export')
    .description('convert a model between .nir and .spk (by extension); --quantize int8 writes a deployable .spk')
    .argument('<in>', 'a .nir or .spk model')
    .argument('<out>', 'the file to write (.nir or .spk)')
    .option('--quantize <precision>', 'int8: store the quantized integer model (.spk only)')
    .option('--dt <seconds>', 'time step (NIR files do not store one; default 1e-4)')
    .option('--reset <mode>', 'reset of spiking nodes for quantization: zero (NIR, default) or subtract')
    .option('--input-scale <x>', 'int8: value of one input step (default 1/127: inputs in [-1, 1])')
    .option('--gzip', '.nir: gzip-compress datasets')
    .option('--json', 'print a JSON summary')
    .action(async (input: string, output: string, o: ExportOptions) => {
      const dt = numberOption('--dt', o.dt, Number.MIN_VALUE);
      const reset = resetOption(o.reset);
      const m = await loadModel(input, dt === undefined ? {} : { dt });
      const ext = extname(output).toLowerCase();
      if (ext !== '.nir' && ext !== '.spk') throw new SpikeletError('invalid_param', 'export', 'out', 'a path ending in .nir or .spk', output);
      let bytes: Uint8Array;
      let kind: string;
      if (o.quantize !== undefined) {
        if (o.quantize !== 'int8') throw new SpikeletError('invalid_param', 'export', '--quantize', '"int8"', o.quantize);
        if (ext !== '.spk') throw new SpikeletError('invalid_param', 'export', 'out', 'a .spk path (quantized models have no NIR form)', output);
        if (m.kind !== 'graph') throw new SpikeletError('invalid_param', 'export', 'in', 'a float model (this file is already quantized)', input);
        const spec = graphToNetwork(m.graph, { dt, reset });
        const inputScale = numberOption('--input-scale', o.inputScale, Number.MIN_VALUE);
        const q = quantizeNetwork(validateNetwork(spec, 'export'), inputScale === undefined ? {} : { inputScale });
        bytes = writeSpk(q, { source: m.graph, network: networkSkeleton(spec), metadata: { source: input, reset: reset ?? 'zero', dt: spec.dt } });
        kind = 'quantized int8';
      } else {
        if (m.kind !== 'graph') throw new SpikeletError('invalid_param', 'export', 'in', 'a float model (a quantized .spk cannot be converted back)', input);
        bytes = ext === '.nir' ? await writeNir(m.graph, o.gzip ? { compression: 'gzip' } : {}) : writeSpk(m.graph, { metadata: { source: input } });
        kind = 'float graph';
      }
      writeFileSync(output, bytes);
      const summary = { in: input, out: output, kind, bytes: bytes.length };
      process.stdout.write(o.json ? JSON.stringify(summary) + '\n' : `wrote ${output} (${kind}, ${bytes.length} bytes)\n`);
    });
}
