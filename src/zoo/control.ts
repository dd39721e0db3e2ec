// ES control recipes: a spiking LIF policy evolved on device (wasm evaluation, optional
// workers). `control-lif-es` follows Spyx's zoo recipe of the same name (PointMass, Linear
// 2→8, LIF, Linear 8→1, LI; OpenES population 24, lr 0.1, σ 0.3); `cartpole-lif-es` solves
// CartPole-v1 (mean return ≥ 475 over 100 episodes).
import { SpikeletError } from '../errors.js';
import type { EvolveConfig } from '../es/run.js';

/** A named, documented run configuration with the result it is expected to reach. */
export interface EsRecipe {
  readonly name: string;
  readonly description: string;
  readonly config: EvolveConfig;
  /** Mean return over `config.targetEpisodes` evaluation episodes that counts as success (= `config.target`). */
  readonly target: number;
}

/** A recipe whose `target` is its run configuration's (one literal, not two that could drift). */
function recipe(name: string, description: string, config: EvolveConfig & { readonly target: number }): EsRecipe {
  return { name, description, config, target: config.target };
}

/** The ES recipes, by name. */
export const ES_RECIPES: Readonly<Record<string, EsRecipe>> = Object.freeze({
  'control-lif-es': recipe('control-lif-es',
    'PointMass-v0 (Spyx): Linear 2→8, LIF, Linear 8→1, LI; OpenES pop 24, Adam lr 0.1, σ 0.3. ' +
      'Target: mean return ≥ −1 (Σx² ≤ 1 over 20 steps; doing nothing scores ≈ −16).',
    {
      env: 'PointMass-v0', policy: { hidden: 8 }, strategy: 'openes',
      strategyParams: { populationSize: 24, sigma: 0.3, learningRate: 0.1 },
      episodes: 16, generations: 100, seed: 0, target: -1, targetEpisodes: 100,
    }),
  'cartpole-lif-es': recipe('cartpole-lif-es',
    'CartPole-v1: Linear 4→32, LIF, Linear 32→2, LI (argmax); OpenES pop 256, Adam lr 0.05, σ 0.5, ' +
      'initial mean ~ N(0, 1). Stops when the mean policy returns ≥ 475 over 100 fresh episodes.',
    {
      env: 'CartPole-v1', policy: { hidden: 32 }, strategy: 'openes',
      strategyParams: { populationSize: 256, sigma: 0.5, learningRate: 0.05 },
      episodes: 2, generations: 200, seed: 0, initStd: 1, target: 475, targetEpisodes: 100,
    }),
});

/**
 * Looks a recipe up by name.
 * @param name `control-lif-es` or `cartpole-lif-es`.
 * @throws SpikeletError for an unknown name.
 */
export function esRecipe(name: string): EsRecipe {
  const r = ES_RECIPES[name];
  if (!r) throw new SpikeletError('unsupported', 'esRecipe', 'name', `one of ${Object.keys(ES_RECIPES).join(', ')}`, name);
  return r;
}
