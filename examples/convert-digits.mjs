// ANN → SNN conversion end to end on the UCI digits: import a PyTorch-exported ONNX CNN, check
// its float accuracy with our ANN runner, convert it to IF neurons normalized on the training
// rows, and compare f32 and int8 SNN accuracy over T steps.
//   node examples/convert-digits.mjs [model.onnx]      (default test/fixtures/digits_cnn.onnx)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Runtime, readOnnx, AnnRunner, accuracyOf, convertAnn, evaluateSnn, quantizationReport, parseLabeledCsv, sliceRows,
} from 'spikelet';

const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
const modelPath = process.argv[2] ?? `${fixtures}digits_cnn.onnx`;

const rt = await Runtime.create();
const ann = await readOnnx(readFileSync(modelPath));
// Pixels are 0..16; the models take pixel / 16. First 1437 rows train, last 360 test.
const data = parseLabeledCsv(readFileSync(`${fixtures}digits.csv`, 'utf8'), { inputScale: 1 / 16 });
const train = sliceRows(data, 0, 1437), test = sliceRows(data, 1437);

const logits = new AnnRunner(ann, { runtime: rt }).run(test.x);
const annAccuracy = accuracyOf(logits, test.labels, 10);
console.log(`ANN (f32): ${(100 * annAccuracy).toFixed(2)}% on ${test.rows} test rows`);

const snn = convertAnn(ann, { calibration: train.x, percentile: 99.9, runtime: rt });
for (const l of snn.layers) console.log(`  ${l.kind} ${l.synapse}: lambda = ${l.lambda[0].toFixed(3)}`);

const timesteps = [4, 8, 16, 32, 64, 128];
const f32 = evaluateSnn(snn.spec, test, { timesteps, precision: 'f32', runtime: rt });
const int8 = evaluateSnn(snn.spec, test, { timesteps, precision: 'int8', runtime: rt, quantization: { inputScale: snn.inputScale } });
console.log('T      f32 SNN   int8 SNN');
f32.results.forEach((r, k) => {
  console.log(`${String(r.timesteps).padEnd(6)} ${(100 * r.accuracy).toFixed(2).padStart(6)}%  ${(100 * int8.results[k].accuracy).toFixed(2).padStart(6)}%`);
});

const { layers } = quantizationReport(snn.spec, {
  quantization: { inputScale: snn.inputScale }, data: test.x.subarray(0, 64 * test.features), timesteps: 32, runtime: rt,
});
for (const q of layers) {
  console.log(`int8 layer ${q.block}: weight error ${(100 * q.weightRelError).toFixed(2)}%, rate error ${q.rateError.toFixed(4)} spikes/step`);
}
