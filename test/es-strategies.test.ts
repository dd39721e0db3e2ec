// OpenES / SNES: ranks, typed errors, ask/tell on a quadratic, checkpoint/resume identical to an
// uninterrupted run, and short recipe smoke runs (the full CartPole solve is examples/).
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OpenES, SNES, centeredRanks, evolve, esRecipe, makePolicy, SpikeletError, Runtime, evaluatePlan, WorkerEvaluator, type EvolveConfig,
} from '../src/index.js';

describe('fitness shaping', () => {
  it('centred ranks in [−0.5, 0.5], NaN ranks last (worst)', () => {
    expect(Array.from(centeredRanks([3, 1, NaN, 2]))).toEqual([1 / 3 - 0.5 + 1 / 3, -0.5, 0.5, 1 / 3 - 0.5]);
  });
});

describe('typed errors', () => {
  it('odd population with antithetic sampling, σ ≤ 0, bad optimizer, bad fitness length, unknown env', () => {
    expect(() => OpenES({ populationSize: 7, sigma: 0.1 })).toThrow(/populationSize: expected an even number/);
    expect(() => OpenES({ populationSize: 8, sigma: 0 })).toThrow(/sigma: expected a finite number > 0/);
    expect(() => SNES({ populationSize: 8, sigma: -1 })).toThrow(SpikeletError);
    expect(() => OpenES({ populationSize: 8, sigma: 1, optimizer: 'rmsprop' as never })).toThrow(SpikeletError);
    const es = OpenES({ populationSize: 4, sigma: 1 });
    expect(() => es.tell(es.init(0, 3), undefined, [1, 2, 3])).toThrow(/fitness.length/);
    expect(() => makePolicy('MountainCar-v0')).toThrow(SpikeletError);
    return expect(evolve({ env: 'Nope-v0', generations: 1, strategyParams: { populationSize: 4, sigma: 1 } })).rejects.toThrow(SpikeletError);
  });
});

describe('ask/tell', () => {
  for (const [name, es] of [
    ['OpenES adam', OpenES({ populationSize: 32, sigma: 0.3, learningRate: 0.1 })],
    ['OpenES sgd + decay', OpenES({ populationSize: 32, sigma: 0.3, learningRate: 0.02, optimizer: 'sgd', weightDecay: 1e-3, sigmaDecay: 0.99, sigmaMin: 0.05 })],
    ['SNES', SNES({ populationSize: 16, sigma: 0.5 })],
  ] as const) {
    it(`${name} minimises a shifted sphere; states are frozen`, () => {
      const target = [1, -2, 0.5, 3, -1];
      const f = (x: Float32Array, i: number) => target.reduce((s, t, d) => s + (x[i * 5 + d] - t) ** 2, 0);
      let s = es.init(1, 5) as never;
      const f0 = target.reduce((a, t) => a + t * t, 0);
      for (let g = 0; g < 150; g++) {
        const { population } = es.ask(s);
        const fit = Float64Array.from({ length: es.populationSize }, (_, i) => f(population, i));
        s = es.tell(s, population, fit) as never;
      }
      const m = (s as { mean: Float64Array }).mean;
      expect(target.reduce((a, t, d) => a + (m[d] - t) ** 2, 0)).toBeLessThan(0.05 * f0);
      expect(Object.isFrozen(s)).toBe(true);
    });
  }
});

describe('evolve', () => {
  const cfg: EvolveConfig = {
    env: 'CartPole-v1', policy: { hidden: 16 }, strategyParams: { populationSize: 32, sigma: 0.5, learningRate: 0.05 },
    episodes: 1, generations: 6, seed: 3, initStd: 1, targetEpisodes: 10,
  };
  it('resume from a checkpoint is identical to an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelet-es-'));
    const full = await evolve(cfg);
    await evolve({ ...cfg, generations: 3 }, { checkpointDir: dir });
    expect(existsSync(join(dir, 'checkpoint.json'))).toBe(true);
    // Same config as the full run: the checkpoint's config must match, so rewrite generations.
    const ck = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
    expect(ck.state.generation).toBe(3);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify({ ...ck, config: cfg }));
    const resumed = await evolve(cfg, { checkpointDir: dir, resume: true });
    expect(Array.from(resumed.state.mean)).toEqual(Array.from(full.state.mean));
    expect(resumed.history.map((h) => h.meanFitness)).toEqual(full.history.map((h) => h.meanFitness));
    expect(resumed.evalReturn).toBe(full.evalReturn);
  });
  it('workers give the same run as the main thread', async () => {
    const a = await evolve({ ...cfg, generations: 3 });
    const b = await evolve({ ...cfg, generations: 3 }, { workers: 2 });
    expect(Array.from(b.state.mean)).toEqual(Array.from(a.state.mean));
  });
  it('two runs sharing one worker pool at once equal the same runs made alone', async () => {
    const other: EvolveConfig = { ...cfg, seed: 8, generations: 3 };
    const alone = [await evolve({ ...cfg, generations: 3 }), await evolve(other)];
    const pool = await WorkerEvaluator.create(1);
    try {
      const shared = await Promise.all([evolve({ ...cfg, generations: 3 }, { evaluator: pool }), evolve(other, { evaluator: pool })]);
      shared.forEach((r, i) => {
        expect(Array.from(r.state.mean), `run ${i}`).toEqual(Array.from(alone[i].state.mean));
        expect(r.history.map((h) => h.meanFitness), `run ${i}`).toEqual(alone[i].history.map((h) => h.meanFitness));
      });
    } finally {
      await pool.close();
    }
  });
  it('control-lif-es reaches its target (mean return ≥ −1 over 100 episodes)', async () => {
    const r = esRecipe('control-lif-es');
    const out = await evolve(r.config);
    expect(out.evalReturn).toBeGreaterThanOrEqual(r.target);
  });
  it('cartpole-lif-es smoke: a few generations improve the return; Plans f32 and int8 run it', async () => {
    const r = esRecipe('cartpole-lif-es');
    const out = await evolve({ ...r.config, generations: 4, strategyParams: { ...r.config.strategyParams, populationSize: 64 } });
    expect(out.history[3].meanFitness).toBeGreaterThan(out.history[0].meanFitness);
    const rt = Runtime.createSync();
    const f32 = evaluatePlan(rt, out.policy, out.network, 'f32', 20, 0);
    const i8 = evaluatePlan(rt, out.policy, out.network, 'int8', 20, 0);
    expect(f32).toBeGreaterThan(0);
    expect(i8).toBeGreaterThan(0);
  });
});
