// `spikelet train RECIPE_OR_CONFIG`: surrogate-gradient BPTT in wasm. RECIPE_OR_CONFIG is a
// recipe name (classification-rsnn, digits-rsnn) or a JSON file holding a TrainConfig plus
// `"data": "<recipe name>"` (whose data it trains on). Progress bar on stderr (or one JSON
// object per epoch on stdout with --json); checkpoints after every epoch with --checkpoint DIR
// (atomic), --resume continues from one; the final line (or JSON summary) reports the test
// accuracy. The trained model is written as a NetworkSpec JSON (network.json) and, when the
// model is exportable, as an int8 .spk beside it.
import type { Command } from 'commander';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { SpikeletError } from '../../errors.js';
import { Trainer, type TrainConfig } from '../../train/trainer.js';
import { TRAIN_RECIPES, type TrainRecipe } from '../../zoo/train-recipes.js';
import { writeModelFiles } from '../util/model-files.js';
import { bar, intOption } from '../util/options.js';

const int = (name: string, v: string | undefined, min: number) => intOption('spikelet train', name, v, min);

interface TrainCliOptions { epochs?: string; seed?: string; checkpoint?: string; resume?: boolean; json?: boolean; out?: string }

async function loadRecipe(arg: string): Promise<TrainRecipe> {
  const recipe = TRAIN_RECIPES[arg];
  if (recipe) return recipe;
  let text: string;
  try {
    text = await readFile(arg, 'utf8');
  } catch {
    throw new SpikeletError('invalid_param', 'spikelet train', 'RECIPE_OR_CONFIG', `a recipe (${Object.keys(TRAIN_RECIPES).join(', ')}) or a readable JSON file`, arg);
  }
  let cfg: TrainConfig & { data?: string };
  try {
    cfg = JSON.parse(text);
  } catch (e) {
    throw new SpikeletError('bad_file', 'spikelet train', arg, 'JSON', (e as Error).message);
  }
  const base = TRAIN_RECIPES[cfg.data ?? ''];
  if (!base) throw new SpikeletError('invalid_param', 'spikelet train', `${arg}: data`, `the name of a recipe whose data to use (${Object.keys(TRAIN_RECIPES).join(', ')})`, cfg.data);
  const { data: _d, ...config } = cfg;
  return { ...base, name: arg, config };
}

/** Adds `train` to the program. */
export function register(program: Command): void {
  program
    .command('train')
    .description('train a spiking network with surrogate-gradient BPTT (wasm kernels)')
    .argument('<recipe-or-config>', `recipe name (${Object.keys(TRAIN_RECIPES).join(', ')}) or JSON config file`)
    .option('--epochs <n>', 'number of epochs')
    .option('--seed <s>', 'seed of initialisation and shuffling')
    .option('--checkpoint <dir>', 'write checkpoint.json after every epoch (and the model at the end) to this directory')
    .option('--resume', 'continue from <dir>/checkpoint.json')
    .option('--out <file>', 'write the trained NetworkSpec JSON here (default <checkpoint>/network.json)')
    .option('--json', 'one JSON object per epoch, then a summary, on stdout')
    .action(async (arg: string, o: TrainCliOptions) => {
      const recipe = await loadRecipe(arg);
      const epochs = int('epochs', o.epochs, 1), seed = int('seed', o.seed, 0);
      const config: TrainConfig = { ...recipe.config, ...(epochs ? { epochs } : {}), ...(seed !== undefined ? { seed } : {}) };
      if (o.resume && !o.checkpoint) throw new SpikeletError('invalid_param', 'spikelet train', '--resume', 'together with --checkpoint DIR', true);
      const trainer = await Trainer.create(config); // validates everything before any work
      const data = await recipe.data({
        readText: (paths) => {
          const p = paths.find((q) => existsSync(q));
          if (!p) throw new SpikeletError('invalid_param', 'spikelet train', 'data file', `one of ${paths.join(', ')} (run from the repository root)`, 'none found');
          return readFileSync(p, 'utf8');
        },
      });
      const t0 = performance.now();
      let lastDraw = 0;
      const fit = await trainer.fit(data.train, {
        checkpointDir: o.checkpoint, resume: o.resume,
        onProgress: (p) => {
          if (o.json) {
            if (p.phase === 'epoch') process.stdout.write(JSON.stringify({ type: 'epoch', ...p }) + '\n');
          } else if (p.phase === 'epoch' || performance.now() - lastDraw > 100) {
            lastDraw = performance.now();
            process.stderr.write(`\r${bar((p.epoch - 1) * p.batches + p.batch, p.epochs * p.batches, 24)} epoch ${p.epoch}/${p.epochs} ` +
              `batch ${p.batch}/${p.batches}  loss ${p.loss.toFixed(4)}  acc ${(100 * p.accuracy).toFixed(1)} %  ` +
              `${Math.round(p.samplesPerSecond)} samples/s   `);
          }
        },
      });
      if (!o.json) process.stderr.write('\n');
      const seconds = (performance.now() - t0) / 1000;
      const test = trainer.evaluate(data.test);
      let out = o.out ?? (o.checkpoint ? join(o.checkpoint, 'network.json') : undefined);
      let spk: string | null = null, nir: string | null = null;
      if (out) {
        try {
          const spec = trainer.exportNetwork();
          if (o.checkpoint) await mkdir(o.checkpoint, { recursive: true });
          await writeFile(out, JSON.stringify(spec));
          const files = await writeModelFiles(spec, out.replace(/\.json$/, ''), { producer: 'spikelet train', recipe: recipe.name });
          spk = files.spk;
          nir = files.nir;
        } catch (e) {
          if (!(e instanceof SpikeletError) || e.code !== 'unsupported') throw e;
          process.stderr.write(`spikelet train: model not exported: ${e.message}\n`);
          out = undefined;
        }
      }
      const summary = {
        type: 'summary', recipe: recipe.name, epochs: fit.epochs, resumedFrom: fit.resumedFrom ?? null, seconds,
        trainLoss: fit.history.at(-1)?.loss ?? null, testLoss: test.loss, testAccuracy: test.accuracy, target: recipe.target,
        network: out ?? null, spk, nir,
      };
      if (o.json) process.stdout.write(JSON.stringify(summary) + '\n');
      else {
        process.stdout.write(`${recipe.name}: test accuracy ${(100 * test.accuracy).toFixed(2)} % (target ${(100 * recipe.target).toFixed(0)} %) ` +
          `after ${fit.epochs} epochs in ${seconds.toFixed(1)} s${out ? `; network written to ${out}` : ''}\n`);
      }
    });
}
