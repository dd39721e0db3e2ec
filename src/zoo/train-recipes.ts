// Training recipes (surrogate-gradient BPTT in wasm): a configuration, the data it trains on and
// the test accuracy it is expected to reach. `spikelet train <recipe>` and examples/ run them.
//   classification-rsnn  synthetic temporal task (T = 16, 8 inputs, 4 classes; only the order of
//                        two input bursts separates classes 1 and 2), 24 recurrent LIF, arctan.
//   digits-rsnn          the UCI 8×8 digits, pixels rate-encoded as spikes (p = pixel/16 per
//                        step, T = 25), first 1437 rows train, last 360 test; each epoch draws
//                        fresh spikes and warps every image a little (the test rows come from
//                        other writers, see ../shared/fixtures/README.md: without augmentation
//                        the test accuracy stalls near 93-94 %).
import { SpikeletError } from '../errors.js';
import { encodeDigits, parseDigitsCsv, warpDigits, sliceDigits, temporalTask, type SpikeDataset } from '../train/data.js';
import type { TrainConfig } from '../train/trainer.js';

/** The data of a recipe: the training set (or one per epoch) and the test split. */
export interface RecipeData {
  readonly train: SpikeDataset | ((epoch: number) => SpikeDataset);
  readonly test: SpikeDataset;
}

/** A named training run with its expected result. */
export interface TrainRecipe {
  readonly name: string;
  readonly description: string;
  readonly config: TrainConfig;
  /** Test accuracy that counts as success. */
  readonly target: number;
  /**
   * Builds the data. `readText` reads a data file (the digits CSV) by the paths tried in order;
   * Node callers pass `fs.readFileSync`-based readers, browsers a fetch.
   */
  readonly data: (options?: { readText?: (paths: readonly string[]) => Promise<string> | string; seed?: number }) => Promise<RecipeData>;
}

/** Where digits.csv is looked for (relative to the working directory). */
export const DIGITS_PATHS = ['test/fixtures/digits.csv', '../shared/fixtures/digits.csv'] as const;

/** The training recipes, by name. */
export const TRAIN_RECIPES: Readonly<Record<string, TrainRecipe>> = Object.freeze({
  'classification-rsnn': {
    name: 'classification-rsnn',
    description: 'Synthetic temporal task (T = 16, 8 inputs, 4 classes), 24 recurrent LIF + LI readout, arctan, Adam. Target ≥ 90 % test accuracy.',
    config: {
      model: {
        inputSize: 8, surrogate: { name: 'arctan', alpha: 2 },
        layers: [
          { size: 24, cell: 'lif', recurrent: true, beta: 0.9, init: { gain: 2 } },
          { size: 4, cell: 'li', beta: 0.9 },
        ],
      },
      loss: { type: 'ce_mean' },
      optimizer: { type: 'adam', lr: 0.01 },
      batchSize: 32, epochs: 25, seed: 1,
    },
    target: 0.9,
    data: async (o = {}) => {
      const s = o.seed ?? 0;
      return { train: temporalTask(1024, 1000 + s), test: temporalTask(512, 2000 + s) };
    },
  },
  'digits-rsnn': {
    name: 'digits-rsnn',
    description: 'UCI digits (8×8) rate-encoded as spikes (T = 25), 256 recurrent LIF + LI readout, arctan, AdamW with cosine decay, ' +
      'fresh spikes and a random affine warp (±10°, ±10 %, ±0.5 px) each epoch. Train rows 0..1436, test rows 1437..1796. ' +
      'Target ≥ 95 % test accuracy (final epoch, no selection on the test rows).',
    config: {
      model: {
        inputSize: 64, surrogate: { name: 'arctan', alpha: 2 },
        layers: [
          { size: 256, cell: 'lif', recurrent: true, beta: 0.9, init: { gain: 1.5, recurrentGain: 0.5 } },
          { size: 10, cell: 'li', beta: 0.9 },
        ],
      },
      loss: { type: 'ce_mean', labelSmoothing: 0.05 },
      optimizer: { type: 'adamw', lr: 0.003, weightDecay: 0.05, schedule: { type: 'cosine', minLr: 1e-4 } },
      batchSize: 32, epochs: 40, seed: 0, restoreBest: false,
    },
    target: 0.95,
    data: async (o = {}) => {
      const read = o.readText ?? (async () => { throw new SpikeletError('invalid_param', 'digits-rsnn', 'readText', 'a reader for digits.csv', undefined); });
      const table = parseDigitsCsv(await read(DIGITS_PATHS));
      if (table.n !== 1797) throw new SpikeletError('bad_file', 'digits-rsnn', 'digits.csv', '1797 rows', table.n);
      const tr = sliceDigits(table, 0, 1437), te = sliceDigits(table, 1437, 1797);
      const T = 25;
      const cache = new Map<number, SpikeDataset>();
      const train = (epoch: number) => {
        let d = cache.get(epoch);
        if (!d) {
          cache.clear();
          d = encodeDigits(warpDigits(tr.pixels, tr.n, 7919 * (epoch + 1)), tr.labels, T, 104729 * (epoch + 1));
          cache.set(epoch, d);
        }
        return d;
      };
      return { train, test: encodeDigits(te.pixels, te.labels, T, 12345) };
    },
  },
});

/**
 * A training recipe by name.
 * @throws SpikeletError naming the known recipes.
 */
export function trainRecipe(name: string): TrainRecipe {
  const r = TRAIN_RECIPES[name];
  if (!r) throw new SpikeletError('invalid_param', 'trainRecipe', 'name', Object.keys(TRAIN_RECIPES).join(' | '), name);
  return r;
}
