// Trains the `digits-rsnn` recipe: UCI 8×8 digits rate-encoded as spikes (T = 25), 256
// recurrent LIF neurons and an LI readout, surrogate-gradient BPTT in wasm; fresh spikes and a
// small random warp each epoch. Reports the accuracy on the 360 test rows (final epoch).
// Run from the repository root: node examples/digits-rsnn.mjs
import { readFileSync, existsSync } from 'node:fs';
import { Trainer, trainRecipe } from 'spikelet';

const recipe = trainRecipe('digits-rsnn');
const data = await recipe.data({ readText: (paths) => readFileSync(paths.find((p) => existsSync(p)), 'utf8') });
const trainer = await Trainer.create(recipe.config);
const t0 = performance.now();
await trainer.fit(data.train, {
  onProgress: (p) => { if (p.phase === 'epoch') console.log(`epoch ${p.epoch}: loss ${p.loss.toFixed(4)}, train accuracy ${(100 * p.accuracy).toFixed(1)} %, ${Math.round(p.samplesPerSecond)} samples/s`); },
});
const seconds = (performance.now() - t0) / 1000;
const test = trainer.evaluate(data.test);
console.log(`digits-rsnn: test accuracy ${(100 * test.accuracy).toFixed(2)} % on ${test.n} test rows in ${seconds.toFixed(1)} s (target ${100 * recipe.target} %)`);
