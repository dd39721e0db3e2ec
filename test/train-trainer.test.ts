// Trainer behaviour: bit-identical resume from a checkpoint, typed errors before any work, a
// NaN loss that stops training and leaves the last checkpoint intact, export to compile(),
// optimizers, and the two recipes' accuracy.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from '../src/runtime/runtime.js';
import { compile } from '../src/runtime/plan.js';
import { SpikeletError } from '../src/errors.js';
import { Trainer, type TrainConfig } from '../src/train/trainer.js';
import { temporalTask } from '../src/train/data.js';
import { TRAIN_RECIPES } from '../src/zoo/train-recipes.js';
import { resolveSurrogate, surrogateDerivative } from '../src/train/surrogates.js';

let rt: Runtime;
beforeAll(async () => { rt = await Runtime.create(); });

const small: TrainConfig = {
  model: { inputSize: 8, layers: [{ size: 12, recurrent: true, init: { gain: 2 } }, { size: 4, cell: 'li' }] },
  optimizer: { type: 'adam', lr: 0.01, schedule: { type: 'cosine' } }, batchSize: 16, epochs: 4, seed: 3,
};

describe('checkpoints', () => {
  it('resuming after a checkpoint continues bit-identically to an uninterrupted run', async () => {
    const data = (e: number) => temporalTask(80, 50 + e);
    const val = temporalTask(40, 9);
    const full = await (await Trainer.create(small, { runtime: rt })).fit(data, { validation: val });
    const dir = mkdtempSync(join(tmpdir(), 'spikelet-train-'));
    try {
      const a = await (await Trainer.create(small, { runtime: rt })).fit(data, { validation: val, checkpointDir: dir, stopAfterEpochs: 2 });
      expect(a.epochs).toBe(2);
      expect(existsSync(join(dir, 'checkpoint.json'))).toBe(true);
      const b = await (await Trainer.create(small, { runtime: rt })).fit(data, { validation: val, checkpointDir: dir, resume: true });
      expect(b.resumedFrom).toBe(2);
      expect(b.history).toEqual(full.history.map((h, i) => ({ ...h, seconds: b.history[i].seconds })));
      b.params.forEach((p, i) => {
        expect(Buffer.from(p.weight.buffer).equals(Buffer.from(full.params[i].weight.buffer))).toBe(true);
        expect(Buffer.from(p.bias.buffer).equals(Buffer.from(full.params[i].bias.buffer))).toBe(true);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a NaN loss stops training with a clear message and leaves the last good checkpoint intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelet-train-'));
    try {
      const good = temporalTask(32, 1);
      const t = await Trainer.create({ ...small, epochs: 3 }, { runtime: rt });
      await t.fit(good, { checkpointDir: dir, stopAfterEpochs: 1 });
      const before = readFileSync(join(dir, 'checkpoint.json'), 'utf8');
      const blowUp = (e: number) => (e === 0 ? good : { ...good, x: new Float32Array(good.x.length).fill(3e38) });
      const t2 = await Trainer.create({ ...small, epochs: 3 }, { runtime: rt });
      await expect(t2.fit(blowUp, { checkpointDir: dir, resume: true })).rejects.toThrow(/finite (loss|gradients).*checkpoint .* is intact/);
      expect(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('typed errors before any work', () => {
  const bad = async (c: unknown, re: RegExp) => {
    const e = await Trainer.create(c as TrainConfig, { runtime: rt }).catch((x) => x);
    expect(e).toBeInstanceOf(SpikeletError);
    expect((e as Error).message).toMatch(re);
  };
  it('unknown surrogate, negative learning rate, bad cell, bad loss', async () => {
    await bad({ ...small, model: { ...small.model, surrogate: { name: 'sigmoidal' } } }, /model.surrogate.name.*sigmoidal/);
    await bad({ ...small, optimizer: { lr: -0.1 } }, /optimizer.lr: expected a learning rate > 0 but received -0.1/);
    await bad({ ...small, model: { inputSize: 8, layers: [{ size: 4, cell: 'lf' }] } }, /layers\[0\].cell/);
    await bad({ ...small, loss: { type: 'ce_count' } }, /loss.type/);
    await bad({ ...small, model: { inputSize: 8, layers: [{ size: 4, beta: 1.5 }, { size: 2, cell: 'li' }] } }, /beta: expected a decay in \[0, 1\]/);
  });
  it('shape mismatch and NaN in data are rejected before training', async () => {
    const t = await Trainer.create(small, { runtime: rt });
    const d = temporalTask(8, 1);
    await expect(t.fit({ ...d, inputSize: 7 })).rejects.toThrow(/train.inputSize: expected 8/);
    await expect(t.fit({ ...d, labels: Int32Array.from(d.labels).fill(9, 0, 1) })).rejects.toThrow(/labels\[0\]: expected an integer in \[0, 3\]/);
    const x = Float32Array.from(d.x); x[17] = NaN;
    await expect(t.fit({ ...d, x })).rejects.toThrow(/train.x\[0\]\[2\]\[1\]: expected a finite number but received NaN/);
    await expect(t.fit({ ...d, x: x.subarray(1) })).rejects.toThrow(/x.length/);
  });
});

describe('surrogates', () => {
  it('built-ins peak as documented; custom functions are tabulated and interpolated', () => {
    expect(surrogateDerivative(resolveSurrogate('arctan'), 0)).toBe(1);
    expect(surrogateDerivative(resolveSurrogate({ name: 'sigmoid', k: 5 }), 0)).toBeCloseTo(1.25, 12);
    expect(surrogateDerivative(resolveSurrogate({ name: 'boxcar', width: 1, height: 0.5 }), 1)).toBe(0);
    const c = resolveSurrogate({ name: 'custom', fn: (z) => Math.exp(-z * z), range: [-2, 2], points: 4097 });
    expect(surrogateDerivative(c, 0.3)).toBeCloseTo(Math.exp(-0.09), 5);
    expect(surrogateDerivative(c, 2.5)).toBe(0);
  });
});

describe('export and optimizers', () => {
  it('a trained spikelet-order model exports to a NetworkSpec that compile() runs with the same spikes', async () => {
    const t = await Trainer.create({ ...small, epochs: 2 }, { runtime: rt });
    const d = temporalTask(64, 4);
    await t.fit(d);
    const spec = t.exportNetwork();
    const plan = compile(rt, JSON.parse(JSON.stringify(spec)), { precision: 'f32' });
    // one sample through the plan vs the training engine's forward: same argmax of Σ membrane
    const seq = new Float32Array(d.T * 8);
    for (let i = 0; i < seq.length; i++) seq[i] = d.x[i];
    const run = plan.run(seq);
    const sums = new Float64Array(4);
    for (let s = 0; s < d.T; s++) for (let o = 0; o < 4; o++) sums[o] += run.membrane[s * 4 + o];
    const ev = t.evaluate({ ...d, x: d.x.subarray(0, d.T * 8), labels: d.labels.slice(0, 1) });
    expect(ev.predictions[0]).toBe(sums.indexOf(Math.max(...sums)));
  });
  it('SGD with momentum and AdamW with clipping also learn the task', async () => {
    for (const optimizer of [{ type: 'sgd', lr: 0.2, momentum: 0.9, clipNorm: 5 }, { type: 'adamw', lr: 0.01, clipNorm: 1 }] as const) {
      const t = await Trainer.create({ ...small, optimizer, epochs: 10 }, { runtime: rt });
      const fit = await t.fit(temporalTask(256, 5));
      expect(fit.history.at(-1)!.loss).toBeLessThan(fit.history[0].loss);
    }
  });
});

describe('recipes', () => {
  it('classification-rsnn reaches ≥ 90 % test accuracy in seconds', async () => {
    const r = TRAIN_RECIPES['classification-rsnn'];
    const data = await r.data();
    const t = await Trainer.create(r.config, { runtime: rt });
    const t0 = performance.now();
    await t.fit(data.train);
    const acc = t.evaluate(data.test).accuracy;
    console.log(`classification-rsnn: test accuracy ${(100 * acc).toFixed(1)} % in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(acc).toBeGreaterThanOrEqual(0.9);
  });
  it('digits-rsnn reaches ≥ 95 % on the 360 test rows (full recipe)', async () => {
    const r = TRAIN_RECIPES['digits-rsnn'];
    const data = await r.data({ readText: (p) => readFileSync(join(__dirname, '..', p[0]), 'utf8') });
    const t = await Trainer.create(r.config, { runtime: rt });
    const t0 = performance.now();
    await t.fit(data.train);
    const acc = t.evaluate(data.test).accuracy;
    console.log(`digits-rsnn: test accuracy ${(100 * acc).toFixed(2)} % in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(acc).toBeGreaterThanOrEqual(0.95);
  });
});
