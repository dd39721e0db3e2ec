// The training loop: batching, epochs, seeded shuffling, validation, early stopping, progress,
// checkpoints (atomic: temp file + rename) and bit-identical resume. The heavy work is the
// engine's (wasm); this file only orchestrates. Everything that decides the result is a
// function of (config, data, epoch): the permutation of epoch e is drawn from seed and e alone,
// and per-epoch data come from `train(epoch)`, so a run resumed from the checkpoint of epoch e
// continues exactly as the uninterrupted run did.
import { SpikeletError } from '../errors.js';
import { Runtime } from '../runtime/runtime.js';
import type { NetworkSpec } from '../runtime/network.js';
import { seededRandom } from '../util/random.js';
import { checkDataset, type SpikeDataset } from './data.js';
import { TrainEngine } from './engine.js';
import { exportNetwork, type ExportOptions } from './export.js';
import { checkLoss, checkRegularizer, computeLoss, rateRegularizer, type LossSpec, type RateRegularizer } from './losses.js';
import { checkParams, cloneParams, initParams, resolveModel, type ResolvedModel, type TrainLayerParams, type TrainModelSpec } from './model.js';
import { checkOptimizer, Optimizer, type OptimizerSpec } from './optim.js';

/** Everything that defines a training run (JSON-serialisable unless a custom surrogate is used). */
export interface TrainConfig {
  readonly model: TrainModelSpec;
  readonly loss?: LossSpec;
  readonly regularizer?: RateRegularizer;
  readonly optimizer?: OptimizerSpec;
  /** Samples per batch (default 32). */
  readonly batchSize?: number;
  /** Epochs (default 10). */
  readonly epochs?: number;
  /** Seed of initialisation and shuffling (default 0). */
  readonly seed?: number;
  /** Stop when the validation metric has not improved for `patience` epochs. */
  readonly earlyStopping?: { readonly patience: number; readonly minDelta?: number };
  /** Return the parameters of the best validation epoch (default true when validating). */
  readonly restoreBest?: boolean;
}

/** Progress report, once per batch and once per epoch. */
export interface TrainProgress {
  readonly phase: 'batch' | 'epoch';
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean training loss and accuracy of the epoch so far. */
  readonly loss: number;
  readonly accuracy: number;
  readonly lr: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  /** Training samples per second over the epoch so far. */
  readonly samplesPerSecond: number;
}

/** One epoch's record. */
export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly seconds: number;
}

/** Options of {@link Trainer.fit}. */
export interface FitOptions {
  /** Validation set (early stopping and best-epoch selection use its accuracy). */
  readonly validation?: SpikeDataset;
  readonly onProgress?: (p: TrainProgress) => void;
  /** Directory for `checkpoint.json`, written after every epoch (Node only). */
  readonly checkpointDir?: string;
  /** Continue from `checkpointDir/checkpoint.json` when it exists. */
  readonly resume?: boolean;
  /** Stop after this many epochs of this call (tests of resume). */
  readonly stopAfterEpochs?: number;
}

/** Result of {@link Trainer.fit}. */
export interface FitResult {
  readonly params: TrainLayerParams[];
  readonly history: EpochRecord[];
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly bestValAccuracy?: number;
  readonly stoppedEarly: boolean;
  readonly resumedFrom?: number;
}

/** Evaluation of a dataset. */
export interface EvalResult {
  readonly loss: number;
  readonly accuracy: number;
  readonly correct: number;
  readonly n: number;
  readonly predictions: Int32Array;
}

const FORMAT = 'spikelet-train-checkpoint/1';

function b64(a: Float32Array): string {
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
  return btoa(s);
}
function unb64(s: string): Float32Array {
  const bin = atob(s);
  const u = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
  return new Float32Array(u.buffer);
}

/** Permutation of 0..n−1 for `epoch`, from the seed and the epoch alone. */
export function epochPermutation(n: number, seed: number, epoch: number): Int32Array {
  const rand = seededRandom((Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b)) >>> 0);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

/** The config as checkpoints compare it (epochs excluded, so a finished run can be extended). */
function configKey(c: TrainConfig): string {
  const { epochs: _e, ...rest } = c;
  return JSON.stringify(rest, (_k, v) => (typeof v === 'function' ? String(v) : ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
}

/**
 * Surrogate-gradient BPTT training of a {@link TrainModelSpec} in wasm.
 * @example
 * ```ts
 * const trainer = await Trainer.create({ model, epochs: 20, batchSize: 32, optimizer: { lr: 2e-3 } });
 * const fit = await trainer.fit(trainSet, { validation: testSet, onProgress: (p) => console.log(p) });
 * const spec = trainer.exportNetwork(); // NetworkSpec for compile()
 * ```
 */
export class Trainer {
  readonly config: TrainConfig;
  readonly model: ResolvedModel;
  readonly runtime: Runtime;
  readonly batchSize: number;
  readonly epochs: number;
  readonly seed: number;
  private readonly loss: Required<LossSpec>;
  private readonly reg: RateRegularizer | undefined;
  private readonly opt: ReturnType<typeof checkOptimizer>;
  private engines = new Map<number, { engine: TrainEngine; optimizer: Optimizer }>();
  private current: TrainLayerParams[];

  private constructor(config: TrainConfig, runtime: Runtime, params?: TrainLayerParams[]) {
    const where = 'train';
    if (config === null || typeof config !== 'object') throw new SpikeletError('invalid_param', where, 'config', '{ model, ... }', config);
    this.config = config;
    this.model = resolveModel(config.model, where);
    const out = this.model.layers[this.model.layers.length - 1];
    this.loss = checkLoss(config.loss, out.spiking, where);
    this.reg = checkRegularizer(config.regularizer, where);
    this.opt = checkOptimizer(config.optimizer);
    const int = (f: string, v: unknown, d: number, min: number) => {
      if (v === undefined) return d;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new SpikeletError('invalid_param', where, f, `an integer >= ${min}`, v);
      return v;
    };
    this.batchSize = int('batchSize', config.batchSize, 32, 1);
    this.epochs = int('epochs', config.epochs, 10, 1);
    this.seed = int('seed', config.seed, 0, 0);
    if (config.earlyStopping !== undefined) int('earlyStopping.patience', config.earlyStopping?.patience, 0, 1);
    this.runtime = runtime;
    if (params) checkParams(this.model, params, where);
    this.current = params ? cloneParams(params) : initParams(this.model, this.seed);
  }

  /**
   * Validates the config (before any work) and prepares a trainer.
   * @param config The run's configuration.
   * @param options A Runtime to share, initial parameters.
   * @throws SpikeletError for any invalid field.
   */
  static async create(config: TrainConfig, options: { runtime?: Runtime; params?: TrainLayerParams[] } = {}): Promise<Trainer> {
    const t = new Trainer(config, options.runtime ?? (await Runtime.create()), options.params);
    return t;
  }

  /** Current parameters (API layout, a copy). */
  get params(): TrainLayerParams[] {
    return cloneParams(this.current);
  }

  private engineFor(T: number): { engine: TrainEngine; optimizer: Optimizer } {
    let e = this.engines.get(T);
    if (!e) {
      const engine = new TrainEngine(this.runtime, this.model, this.batchSize, T);
      e = { engine, optimizer: new Optimizer(engine, this.opt) };
      this.engines.set(T, e);
    }
    return e;
  }

  /**
   * Trains for the configured epochs (or until early stopping).
   * @param train The training set, or a function giving the set of each epoch (fresh encodings,
   *   augmentation; it must depend on the epoch only, for resume to be exact).
   * @param options Validation set, progress callback, checkpoints.
   * @throws SpikeletError for invalid data (before any work) or a non-finite loss (training stops;
   *   the last checkpoint, written after the last good epoch, is left as it was).
   */
  async fit(train: SpikeDataset | ((epoch: number) => SpikeDataset), options: FitOptions = {}): Promise<FitResult> {
    const where = 'train';
    const classes = this.model.layers[this.model.layers.length - 1].n;
    const dataOf = typeof train === 'function' ? train : () => train;
    const first = dataOf(0);
    const { n: nTrain } = checkDataset(first, this.model.inputSize, classes, where, 'train');
    if (options.validation) checkDataset(options.validation, this.model.inputSize, classes, where, 'validation');
    const { engine, optimizer } = this.engineFor(first.T);
    engine.setParams(this.current);
    const batches = Math.ceil(nTrain / this.batchSize);
    const total = batches * this.epochs;
    const history: EpochRecord[] = [];
    let startEpoch = 0, bestEpoch = -1, bestVal = -Infinity, badEpochs = 0;
    let bestFlat: Float32Array | undefined;
    let resumedFrom: number | undefined;
    const ckpt = options.checkpointDir ? `${options.checkpointDir}/checkpoint.json` : undefined;
    if (ckpt && options.resume) {
      const { fs } = await nodeFs();
      let text: string | undefined;
      try { text = await fs.readFile(ckpt, 'utf8'); } catch { text = undefined; }
      if (text !== undefined) {
        let c: Record<string, unknown>;
        try { c = JSON.parse(text); } catch (e) { throw new SpikeletError('bad_file', where, ckpt, 'a JSON checkpoint', (e as Error).message); }
        if (c.format !== FORMAT) throw new SpikeletError('bad_file', where, `${ckpt}.format`, FORMAT, c.format);
        if (c.config !== configKey(this.config)) throw new SpikeletError('invalid_param', where, 'resume', `a checkpoint of the same config`, 'a different config');
        engine.setFlat(unb64(c.params as string));
        optimizer.setState(unb64(c.optimizer as string), c.step as number);
        startEpoch = c.epoch as number;
        bestEpoch = c.bestEpoch as number;
        bestVal = (c.bestVal as number | null) ?? -Infinity;
        badEpochs = c.badEpochs as number;
        bestFlat = c.best ? unb64(c.best as string) : undefined;
        history.push(...(c.history as EpochRecord[]));
        resumedFrom = startEpoch;
      }
    }
    const validating = options.validation !== undefined;
    const restoreBest = this.config.restoreBest ?? validating;
    let stoppedEarly = false;
    let epoch = startEpoch;
    const stopAt = options.stopAfterEpochs !== undefined ? Math.min(this.epochs, startEpoch + options.stopAfterEpochs) : this.epochs;
    for (; epoch < stopAt; epoch++) {
      const t0 = performance.now();
      const data = epoch === 0 ? first : dataOf(epoch);
      if (epoch > 0 && data !== first) checkDataset(data, this.model.inputSize, classes, where, `train(${epoch})`);
      engine.xBinary = isBinary(data);
      const perm = epochPermutation(nTrain, this.seed, epoch);
      let lossSum = 0, correct = 0, seen = 0, lr = 0;
      for (let bi = 0; bi < batches; bi++) {
        const idx = perm.subarray(bi * this.batchSize, Math.min(nTrain, (bi + 1) * this.batchSize));
        const r = this.step(engine, data, idx);
        if (!Number.isFinite(r.loss)) {
          throw new SpikeletError('state', where, 'loss', `a finite loss (training stopped at epoch ${epoch + 1}, batch ${bi + 1}; ` +
            (ckpt ? `the last good checkpoint ${ckpt} is intact` : 'no checkpoint written') + '; lower the learning rate or clip gradients)', r.loss);
        }
        const st = optimizer.step(total);
        if (!Number.isFinite(st.gradNorm)) {
          throw new SpikeletError('state', where, 'gradient', `finite gradients (training stopped at epoch ${epoch + 1}, batch ${bi + 1}` +
            (ckpt ? `; the last good checkpoint ${ckpt} is intact)` : ')'), st.gradNorm);
        }
        lr = st.lr;
        lossSum += r.loss * idx.length; correct += r.correct; seen += idx.length;
        options.onProgress?.({ phase: 'batch', epoch: epoch + 1, epochs: this.epochs, batch: bi + 1, batches, loss: lossSum / seen,
          accuracy: correct / seen, lr, samplesPerSecond: seen / ((performance.now() - t0) / 1000) });
      }
      const seconds = (performance.now() - t0) / 1000;
      let valLoss: number | undefined, valAccuracy: number | undefined;
      if (options.validation) {
        const ev = this.evaluateWith(engine, options.validation);
        valLoss = ev.loss; valAccuracy = ev.accuracy;
      }
      const rec: EpochRecord = { epoch: epoch + 1, loss: lossSum / seen, accuracy: correct / seen, valLoss, valAccuracy, seconds };
      history.push(rec);
      const metric = valAccuracy ?? rec.accuracy;
      const minDelta = this.config.earlyStopping?.minDelta ?? 0;
      if (metric > bestVal + minDelta || bestEpoch < 0) {
        bestVal = metric; bestEpoch = epoch + 1; badEpochs = 0;
        if (restoreBest) bestFlat = engine.getFlat();
      } else {
        badEpochs++;
      }
      options.onProgress?.({ phase: 'epoch', epoch: epoch + 1, epochs: this.epochs, batch: batches, batches, loss: rec.loss,
        accuracy: rec.accuracy, lr, valLoss, valAccuracy, samplesPerSecond: seen / seconds });
      if (ckpt) {
        await writeAtomic(ckpt, JSON.stringify({
          format: FORMAT, config: configKey(this.config), epoch: epoch + 1, step: optimizer.t, bestEpoch, bestVal: Number.isFinite(bestVal) ? bestVal : null,
          badEpochs, history, params: b64(engine.getFlat()), optimizer: b64(optimizer.getState()), best: bestFlat ? b64(bestFlat) : null,
        }));
      }
      const es = this.config.earlyStopping;
      if (es && badEpochs >= es.patience) { stoppedEarly = true; epoch++; break; }
    }
    if (restoreBest && bestFlat && (epoch >= this.epochs || stoppedEarly)) engine.setFlat(bestFlat);
    this.current = engine.getParams();
    return { params: this.params, history, epochs: epoch, bestEpoch, bestValAccuracy: validating ? bestVal : undefined, stoppedEarly, resumedFrom };
  }

  /** Forward, loss, regularisers and backward for one batch (gradients left in the engine). */
  private step(engine: TrainEngine, data: SpikeDataset, idx: ArrayLike<number>): { loss: number; correct: number } {
    engine.loadBatch(data.x, idx);
    engine.forward();
    const L = this.model.layers.length;
    const out = this.model.layers[L - 1];
    const Bv = idx.length;
    const labels = new Int32Array(Bv);
    for (let b = 0; b < Bv; b++) labels[b] = data.labels[idx[b]] as number;
    const lr = computeLoss(this.loss, engine.accumulated(L - 1), labels, Bv, out.n, engine.stride(L - 1), data.T);
    let loss = lr.loss;
    engine.setOutputGrad(lr.dAcc);
    if (this.reg) {
      for (let li = 0; li < L - 1; li++) {
        const l = this.model.layers[li];
        const acc = engine.accumulated(li), nP = engine.stride(li);
        const counts = new Float64Array(l.n);
        for (let b = 0; b < Bv; b++) for (let j = 0; j < l.n; j++) counts[j] += acc[b * nP + j];
        const r = rateRegularizer(this.reg, counts, l.n, data.T, Bv);
        loss += r.loss;
        engine.setRegGrad(li, r.grad);
      }
    }
    engine.backward(this.reg !== undefined);
    return { loss, correct: lr.correct };
  }

  private evaluateWith(engine: TrainEngine, data: SpikeDataset): EvalResult {
    const L = this.model.layers.length;
    const out = this.model.layers[L - 1];
    const n = data.labels.length;
    engine.xBinary = isBinary(data);
    const predictions = new Int32Array(n);
    let lossSum = 0, correct = 0;
    for (let s = 0; s < n; s += this.batchSize) {
      const Bv = Math.min(this.batchSize, n - s);
      const idx = new Int32Array(Bv).map((_, b) => s + b);
      engine.loadBatch(data.x, idx);
      engine.forward();
      const labels = new Int32Array(Bv).map((_, b) => data.labels[s + b] as number);
      const r = computeLoss(this.loss, engine.accumulated(L - 1), labels, Bv, out.n, engine.stride(L - 1), data.T);
      lossSum += r.loss * Bv; correct += r.correct;
      predictions.set(r.predictions, s);
    }
    return { loss: lossSum / n, accuracy: correct / n, correct, n, predictions };
  }

  /**
   * Loss and accuracy of the current parameters on a dataset (forward only).
   * @throws SpikeletError for invalid data.
   */
  evaluate(data: SpikeDataset): EvalResult {
    checkDataset(data, this.model.inputSize, this.model.layers[this.model.layers.length - 1].n, 'evaluate', 'data');
    const { engine } = this.engineFor(data.T);
    engine.setParams(this.current);
    return this.evaluateWith(engine, data);
  }

  /**
   * The trained model as a NetworkSpec for `compile` (see export.ts for the mapping).
   * @throws SpikeletError 'unsupported' for ALIF or a non-spikelet spike order (unless allowed).
   */
  exportNetwork(options: ExportOptions = {}): NetworkSpec {
    return exportNetwork(this.model, this.current, options);
  }
}

/** Node's fs and path, imported by computed name so browser bundles do not try to resolve them (checkpoints are Node only). */
async function nodeFs(): Promise<{ fs: typeof import('node:fs/promises'); path: typeof import('node:path') }> {
  const fs = 'node:fs/promises', path = 'node:path';
  return { fs: await import(/* @vite-ignore */ fs), path: await import(/* @vite-ignore */ path) };
}

const binaryCache = new WeakMap<object, boolean>();
function isBinary(d: SpikeDataset): boolean {
  let b = binaryCache.get(d.x);
  if (b === undefined) {
    b = true;
    const x = d.x;
    for (let i = 0; i < x.length; i++) if (x[i] !== 0 && x[i] !== 1) { b = false; break; }
    binaryCache.set(d.x, b);
  }
  return b;
}

/** Writes `text` to `path` atomically: a temporary file in the same directory, then rename. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const { fs, path: p } = await nodeFs();
  await fs.mkdir(p.dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, path);
}
