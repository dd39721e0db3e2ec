// Trains the `classification-rsnn` recipe: a recurrent LIF network (24 neurons, arctan
// surrogate, BPTT in wasm) on a synthetic temporal task where only the order of two input
// bursts separates some classes; then deploys it as an f32 Plan. Run: node examples/classification-rsnn.mjs
import { Trainer, trainRecipe, compile, Runtime } from 'spikelet';

const recipe = trainRecipe('classification-rsnn');
const data = await recipe.data();
const trainer = await Trainer.create(recipe.config);
const t0 = performance.now();
await trainer.fit(data.train, {
  onProgress: (p) => { if (p.phase === 'epoch') console.log(`epoch ${p.epoch}: loss ${p.loss.toFixed(4)}, train accuracy ${(100 * p.accuracy).toFixed(1)} %`); },
});
const seconds = (performance.now() - t0) / 1000;
const test = trainer.evaluate(data.test);
// the trained model as a deployment Plan (the NetworkSpec that compile() takes)
const plan = compile(await Runtime.create(), trainer.exportNetwork(), { precision: 'f32' });
console.log(`deployed as an f32 Plan with ${plan.layers.length} layers`);
console.log(`classification-rsnn: test accuracy ${(100 * test.accuracy).toFixed(2)} % in ${seconds.toFixed(1)} s (target ${100 * recipe.target} %)`);
