// Spyx's control-lif-es recipe on device: a 1-D point mass (PointMass-v0) driven to the origin
// by Linear 2→8, LIF, Linear 8→1, LI, evolved with OpenES (population 24, Adam lr 0.1, σ 0.3).
// Target: mean return ≥ −1 over 100 episodes (doing nothing scores ≈ −16). Run: node examples/control-lif-es.mjs
import { evolve, esRecipe } from 'spikelet';

const recipe = esRecipe('control-lif-es');
const result = await evolve(recipe.config, {
  onProgress: (p) => { if (p.generation % 10 === 0) console.log(`gen ${p.generation}: mean return ${p.meanFitness.toFixed(3)}, mean-policy ${p.centerFitness.toFixed(3)}`); },
});
console.log(JSON.stringify({ recipe: recipe.name, generations: result.history.length, meanReturn100: result.evalReturn,
  target: recipe.target, reached: result.evalReturn >= recipe.target, seconds: +result.seconds.toFixed(2) }));
if (result.evalReturn < recipe.target) process.exitCode = 1;
