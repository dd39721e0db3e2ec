// Evolves a spiking controller for CartPole-v1 (Linear 4→32, LIF, Linear 32→2, LI readout,
// argmax action) with OpenES, evaluated in wasm on 2 worker threads, then deploys it as f32
// and int8 Plans and reports the mean return over 100 episodes. Run: node examples/cartpole-lif-es.mjs
import { evolve, esRecipe, evaluatePlan, Runtime } from 'spikelet';

const recipe = esRecipe('cartpole-lif-es');
const t0 = performance.now();
const result = await evolve(recipe.config, {
  workers: 2,
  onProgress: (p) => console.log(`gen ${p.generation}: mean ${p.meanFitness.toFixed(1)}, max ${p.maxFitness}, ` +
    `mean-policy ${p.centerFitness.toFixed(1)} (${Math.round(p.episodesPerSecond)} episodes/s)`),
});
const seconds = (performance.now() - t0) / 1000;
const rt = Runtime.createSync();
const f32 = evaluatePlan(rt, result.policy, result.network, 'f32', 100);
const int8 = evaluatePlan(rt, result.policy, result.network, 'int8', 100);
console.log(JSON.stringify({
  recipe: recipe.name, solved: result.solved, generations: result.history.length, seconds: +seconds.toFixed(2),
  meanReturn100: result.evalReturn, planF32: f32, planInt8: int8, target: recipe.target,
}));
if (!result.solved) process.exitCode = 1;
