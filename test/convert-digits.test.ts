// ANN → SNN conversion of the three digits models: calibration statistics against PyTorch's,
// int8 SNN accuracy within 1 point of the ANN at T = 32, the Graph / .spk round trips, the PTQ
// report, conversion errors, and the convert / eval CLI and the example on the built package.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AnnRunner, accuracyOf, activationStats, convertAnn, evaluateSnn, graphToNetwork, networkSkeleton, parseLabeledCsv,
  quantizationReport, readOnnx, readSpk, Runtime, skeletonToSpec, sliceRows, SpikeletError, writeSpk, type AnnModel,
} from '../src/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const FIX = fileURLToPath(new URL('./fixtures/', import.meta.url));
const ref = JSON.parse(readFileSync(`${FIX}digits_reference.json`, 'utf8'));
const data = parseLabeledCsv(readFileSync(`${FIX}digits.csv`, 'utf8'), { inputScale: 1 / 16 });
const train = sliceRows(data, 0, 1437), test = sliceRows(data, 1437);
const rt = Runtime.createSync();
const tmp = mkdtempSync(join(tmpdir(), 'spikelet-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('convertAnn on the digits models', () => {
  for (const name of ['digits_mlp', 'digits_cnn', 'digits_mlp_bn']) {
    it(`${name}: λ = PyTorch's p99.9, int8 SNN within 1 point of the ANN at T = 32`, async () => {
      const ann = await readOnnx(readFileSync(`${FIX}${name}.onnx`));
      const annAcc = accuracyOf(new AnnRunner(ann, { runtime: rt }).run(test.x), test.labels, 10);
      const progress: number[] = [];
      const snn = convertAnn(ann, { calibration: train.x, runtime: rt, onProgress: (p) => progress.push(p.done) });
      expect(progress[progress.length - 1]).toBe(1437);
      const stats = ref.models[name].relu_stats_train;
      for (const l of snn.layers.filter((k) => k.kind === 'hidden')) {
        const s = stats[l.activation];
        expect(l.lambda[0]).toBeCloseTo(s.p99_9, 4);
        const full = snn.stats.find((k) => k.output === l.activation)!;
        expect(full.max).toBeCloseTo(s.max, 4);
        expect(full.fractionZero).toBeCloseTo(s.fraction_zero, 5);
      }
      const out = snn.layers[snn.layers.length - 1];
      expect(out.kind).toBe('output');
      expect(out.lambda[0]).toBeCloseTo(ref.models[name].logits_stats_train.max, 4);
      const Ts = [8, 32];
      const int8 = evaluateSnn(snn.spec, test, { timesteps: Ts, precision: 'int8', runtime: rt, quantization: { inputScale: snn.inputScale } });
      const f32 = evaluateSnn(snn.spec, test, { timesteps: Ts, precision: 'f32', runtime: rt });
      expect(int8.results.map((r) => r.timesteps)).toEqual(Ts);
      expect(Math.abs(int8.results[1].accuracy - annAcc)).toBeLessThanOrEqual(0.01 + 1e-9);
      expect(Math.abs(f32.results[1].accuracy - annAcc)).toBeLessThanOrEqual(0.01 + 1e-9);
    });
  }

  it('per-channel and percentile conventions match the reference; Poisson input and spike-count readout run', async () => {
    const ann = await readOnnx(readFileSync(`${FIX}digits_mlp.onnx`));
    const relus = ann.layers.flatMap((l, i) => (l.op === 'relu' ? [i] : []));
    const [nz] = activationStats(ann, train.x, relus, { percentileOf: 'nonzero', runtime: rt });
    expect(nz.percentile).toBeCloseTo(ref.models.digits_mlp.relu_stats_train[nz.output].p99_9_nonzero, 4);
    const ch = convertAnn(ann, { calibration: train.x, normalization: 'channel', runtime: rt });
    expect(ch.layers[0].lambda.length).toBe(64);
    const p = convertAnn(ann, { calibration: train.x, encoding: 'poisson', readout: 'spikes', runtime: rt });
    expect(p.inputMax).toBe(1);
    const r = evaluateSnn(p.spec, sliceRows(test, 0, 120), { timesteps: 32, precision: 'int8', encoding: 'poisson', readout: 'spikes', runtime: rt, seed: 3 });
    expect(r.results[0].accuracy).toBeGreaterThan(0.85);
  });

  it('the Graph lowers back to the same network; a quantized .spk runs as it was converted', async () => {
    const ann = await readOnnx(readFileSync(`${FIX}digits_cnn.onnx`));
    const snn = convertAnn(ann, { calibration: train.x.subarray(0, 300 * 64), runtime: rt });
    const back = graphToNetwork(snn.graph, { reset: 'zero' }); // every IF node carries reset: 'subtract'
    const sub = sliceRows(test, 0, 60);
    const a = evaluateSnn(snn.spec, sub, { timesteps: [16], precision: 'f32', runtime: rt });
    const b = evaluateSnn(back, sub, { timesteps: [16], precision: 'f32', runtime: rt });
    expect(b.results).toEqual(a.results);
    const { quantized, layers } = quantizationReport(snn.spec, { quantization: { inputScale: snn.inputScale }, data: sub.x, timesteps: 16, runtime: rt });
    expect(layers).toHaveLength(3);
    for (const l of layers) {
      expect(l.weightRelError).toBeGreaterThan(0);
      expect(l.weightRelError).toBeLessThan(0.02);
      expect(l.rateError).toBeLessThan(0.01);
    }
    const file = readSpk(writeSpk(quantized, { source: snn.graph, network: networkSkeleton(snn.spec) }));
    if (file.kind !== 'quantized') throw new Error('expected a quantized .spk');
    const c = evaluateSnn(skeletonToSpec(file.network!), sub, { timesteps: [16], precision: 'int8', quantized: file.quantized, runtime: rt });
    const d = evaluateSnn(snn.spec, sub, { timesteps: [16], precision: 'int8', quantization: { inputScale: snn.inputScale }, runtime: rt });
    expect(c.results).toEqual(d.results);
  });

  it('layers without an SNN equivalent are typed errors naming the layer', async () => {
    const ann = await readOnnx(readFileSync(`${FIX}digits_mlp.onnx`));
    const noRelu: AnnModel = { ...ann, layers: ann.layers.filter((_, i) => i !== 1) };
    expect(() => convertAnn(noRelu, { calibration: train.x })).toThrow(SpikeletError);
    try {
      convertAnn(noRelu, { calibration: train.x });
    } catch (e) {
      expect((e as SpikeletError).code).toBe('unsupported');
      expect((e as SpikeletError).field).toBe('layers "/0/Gemm" (dense)');
    }
    expect(() => convertAnn(ann, { calibration: train.x.subarray(0, 63) })).toThrow(/calibration.length/);
    expect(() => convertAnn(ann, { calibration: train.x, percentile: 0 })).toThrow(/percentile/);
  });
});

describe('spikelet convert / eval (built CLI) and the example', () => {
  const cli = (args: string[]) => execFileSync(process.execPath, ['dist/cli.js', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  it('convert writes an int8 .spk; eval --sweep --json reports one object per T; eval of the .onnx is the ANN', () => {
    const out = join(tmp, 'mlp.spk');
    const s = JSON.parse(cli(['convert', `${FIX}digits_mlp.onnx`, '--calibration', `${FIX}digits.csv`, '--rows', '0:1437',
      '--input-scale', '0.0625', '--timesteps', '32', '-o', out, '--json']));
    expect(s.layers).toHaveLength(3);
    expect(s.layers[0].lambda).toBeCloseTo(1.951538, 4);
    const lines = cli(['eval', out, '--data', `${FIX}digits.csv`, '--rows', '1437:', '--sweep', '8,32', '--json']).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.timesteps)).toEqual([8, 32]);
    expect(lines.every((l) => l.n === 360)).toBe(true);
    expect(Math.abs(lines[1].accuracy - 0.958333)).toBeLessThanOrEqual(0.0101);
    const ann = JSON.parse(cli(['eval', `${FIX}digits_mlp.onnx`, '--data', `${FIX}digits.csv`, '--rows', '1437:', '--input-scale', '0.0625', '--json']));
    expect(ann.accuracy).toBeCloseTo(345 / 360, 6);
    const bad = spawnSync(process.execPath, ['dist/cli.js', 'convert', `${FIX}digits_mlp.onnx`, '--calibration', `${FIX}digits.csv`, '--bits', '16', '-o', join(tmp, 'x.spk')], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--bits: expected 8 \(int8 weights with int16 fixed-point state/);
  });
  it('examples/convert-digits.mjs runs from the package', () => {
    const out = execFileSync(process.execPath, ['examples/convert-digits.mjs'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(out).toMatch(/ANN \(f32\): 96\.39%/);
    expect(out).toMatch(/^32 +\d+\.\d+% +\d+\.\d+%$/m);
  });
});
