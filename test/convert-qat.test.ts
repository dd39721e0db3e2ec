// Quantization-aware training of the converted digits MLPs (src/convert/qat.ts): on MLP-BN, where
// int8 PTQ loses 2 of 360 test rows at T = 8, QAT (3 epochs, lr 3e-5, seed 1) gets back at least
// half of that gap (measured: all of it, 95.56 → 96.11 = f32); the int8 model it returns is the
// normal PTQ of its float weights; it is seeded; conv networks and bad options are refused.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/runtime/plan.js';
import { quantizeNetwork } from '../src/quant/quantize.js';
import { validateNetwork } from '../src/runtime/network.js';
import {
  convertAnn, evaluateSnn, parseLabeledCsv, qat, readOnnx, Runtime, sliceRows, SpikeletError, type QatProgress,
} from '../src/index.js';

const FIX = fileURLToPath(new URL('./fixtures/', import.meta.url));
const data = parseLabeledCsv(readFileSync(`${FIX}digits.csv`, 'utf8'), { inputScale: 1 / 16 });
const train = sliceRows(data, 0, 1437), test = sliceRows(data, 1437);
const rt = Runtime.createSync();

async function converted(name: string) {
  return convertAnn(await readOnnx(readFileSync(`${FIX}${name}.onnx`)), { calibration: train.x, runtime: rt });
}

describe('qat', () => {
  it('MLP-BN: int8 accuracy at T = 8 recovers at least half of what PTQ lost', async () => {
    const snn = await converted('digits_mlp_bn');
    const q = { inputScale: snn.inputScale };
    const at8 = (spec: typeof snn.spec, precision: 'f32' | 'int8') =>
      evaluateSnn(spec, test, { timesteps: 8, precision, runtime: rt, quantization: q }).results[0].correct;
    const f32 = at8(snn.spec, 'f32'), ptq = at8(snn.spec, 'int8');
    expect(f32 - ptq).toBe(2); // the gap this test is about (docs/convert.md): 346 vs 344 of 360
    const progress: QatProgress[] = [];
    const r = qat(snn.spec, train, { epochs: 3, timesteps: 8, quantization: q, runtime: rt, seed: 1, onProgress: (p) => progress.push(p) });
    expect(r.history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    expect(progress[progress.length - 1]).toMatchObject({ phase: 'qat', epoch: 2, epochs: 3, done: 1437, total: 1437 });
    const tuned = at8(r.spec, 'int8');
    expect((tuned - ptq) / (f32 - ptq)).toBeGreaterThanOrEqual(0.5);
    // The returned integer model is the normal PTQ path of the tuned float weights, and it is what compile runs.
    const again = quantizeNetwork(validateNetwork(r.spec), { inputScale: q.inputScale, input: 'analog' });
    r.quantized.blocks.forEach((b, k) => {
      expect(b.weight).toEqual(again.blocks[k].weight);
      expect(b.bias).toEqual(again.blocks[k].bias);
    });
    const mark = rt.mark();
    try {
      const plan = compile(rt, r.spec, { precision: 'int8', quantization: q });
      expect(Array.from(plan.quantized!.blocks[0].weight)).toEqual(Array.from(r.quantized.blocks[0].weight));
    } finally {
      rt.release(mark);
    }
    // Weights moved, but only a little (fine-tuning, not retraining): mean |ΔW| below 2 % of mean |W|.
    const w0 = snn.spec.layers[0] as { weight: Float32Array }, w1 = r.spec.layers[0] as { weight: Float32Array };
    let d = 0, s = 0;
    for (let i = 0; i < w0.weight.length; i++) { d += Math.abs(w1.weight[i] - w0.weight[i]); s += Math.abs(w0.weight[i]); }
    expect(d).toBeGreaterThan(0);
    expect(d / s).toBeLessThan(0.02);
  });

  it('is seeded: the same seed gives the same weights, another seed other weights', async () => {
    const snn = await converted('digits_mlp');
    const small = sliceRows(train, 0, 200);
    const run = (seed: number) => qat(snn.spec, small, { epochs: 1, quantization: { inputScale: snn.inputScale }, runtime: rt, seed });
    const w = (seed: number) => Array.from((run(seed).spec.layers[0] as { weight: Float32Array }).weight);
    const a = w(3);
    expect(w(3)).toEqual(a);
    expect(w(4)).not.toEqual(a);
    // spike-count readout trains the IF output layer on counts; the distillation objective runs too
    const s = qat(snn.spec, small, { epochs: 1, readout: 'spikes', runtime: rt, quantization: { inputScale: snn.inputScale } });
    expect(s.history[0].loss).toBeGreaterThan(0);
    const dist = qat(snn.spec, small, { epochs: 1, objective: 'distill', runtime: rt, quantization: { inputScale: snn.inputScale } });
    expect(dist.history[0].loss).toBeLessThan(0.01); // the int8 network starts close to its float teacher
    expect(qat(snn.spec, small, { epochs: 0 }).spec).toBe(snn.spec);
  });

  it('refuses conv networks and bad options with typed errors', async () => {
    const cnn = await converted('digits_cnn');
    expect(() => qat(cnn.spec, train, { epochs: 1 })).toThrow(/qat: invalid spec\.layers\[0\]\.type: expected Linear \+ IF\/LIF\/LI pairs/);
    const mlp = await converted('digits_mlp');
    const bad: [object, RegExp][] = [
      [{ epochs: -1 }, /invalid epochs/], [{ epochs: 1.5 }, /invalid epochs/], [{ timesteps: 0 }, /invalid timesteps/],
      [{ readout: 'rate' }, /invalid readout/], [{ encoding: 'burst' }, /invalid encoding/], [{ objective: 'kl' }, /invalid objective/],
      [{ optimizer: { lr: -1 } }, /optimizer\.lr/],
    ];
    for (const [o, re] of bad) {
      expect(() => qat(mlp.spec, train, o as never)).toThrow(SpikeletError);
      expect(() => qat(mlp.spec, train, o as never)).toThrow(re);
    }
    expect(() => qat(mlp.spec, { ...train, features: 10 }, {})).toThrow(/data\.features/);
    const labels = Int32Array.from(train.labels); labels[5] = 10;
    expect(() => qat(mlp.spec, { ...train, labels }, {})).toThrow(/data\.labels\[5\]/);
  });
});
