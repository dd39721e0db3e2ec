// The `spikelet` command line. Each command lives in src/cli/commands/<name>.ts and exports
// `register(program)`; this file only assembles them, so commands can be added independently.
import { Command } from 'commander';
import { register as registerDemo } from './commands/demo.js';
import { register as registerEvolve } from './commands/evolve.js';
import { register as registerInspect } from './commands/inspect.js';
import { register as registerExport } from './commands/export.js';
import { register as registerRun } from './commands/run.js';
import { register as registerTrain } from './commands/train.js';
import { register as registerConvert } from './commands/convert.js';
import { register as registerEval } from './commands/eval.js';

const program = new Command();
program
  .name('spikelet')
  .description('Spiking neural networks from training to the edge: quantized inference in WebAssembly SIMD.')
  .version('0.1.0')
  .showHelpAfterError();

registerDemo(program);
registerEvolve(program);
registerInspect(program);
registerExport(program);
registerRun(program);
registerTrain(program);
registerConvert(program);
registerEval(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  const err = e as Error;
  const text = `${err.name === 'SpikeletError' ? '' : err.name + ': '}${err.message}`;
  // Errors raised by a command already name it ("spikelet demo: invalid --steps ...").
  process.stderr.write(`${text.startsWith('spikelet ') ? '' : 'spikelet: '}${text}\n`);
  process.exitCode = 1;
});
