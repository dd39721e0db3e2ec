// The wasm evaluator: equal to the plain-JS twin bit for bit; N workers equal 1 worker; the
// strategies' host-side population equals what the kernel evaluates.
import { describe, it, expect } from 'vitest';
import { LocalEvaluator, WorkerEvaluator, evaluateJs, makePolicy, OpenES, type EvalJob } from '../src/index.js';

function job(env: string, id: number, count: number, extra: Partial<EvalJob> = {}): EvalJob {
  const pol = makePolicy(env, { hidden: env === 'PointMass-v0' ? 8 : 16 });
  const mean = Float64Array.from({ length: pol.dims }, (_, i) => Math.sin(i * 1.7) * 1.5);
  return {
    env: id, inN: pol.inN, hidden: pol.hidden, outN: pol.outN, dims: pol.dims, episodes: 2, maxSteps: pol.env.maxEpisodeSteps,
    first: 0, count, antithetic: true, seed: 9, generation: 3, resetGeneration: 3, source: 0, mean,
    sigma: new Float64Array(pol.dims).fill(0.5), consts: pol.consts, ...extra,
  };
}

describe('es_eval_f32', () => {
  const local = new LocalEvaluator();
  for (const [env, id] of [['CartPole-v1', 0], ['Pendulum-v1', 1], ['PointMass-v0', 2]] as const) {
    it(`${env}: wasm equals the plain-JS twin bit for bit (counts not multiple of 4 too)`, () => {
      const j = job(env, id, 10);
      const w = local.evaluateSync(j), js = evaluateJs(j);
      for (let i = 0; i < j.count; i++) {
        if (!Object.is(w.fitness[i], js.fitness[i])) throw new Error(`${env}: member ${i} / ${j.count}: wasm ${w.fitness[i]} js ${js.fitness[i]}`);
        expect(w.steps[i]).toBe(js.steps[i]);
      }
    });
  }
  it('odd first member, tails and non-antithetic noise: wasm equals the plain-JS twin (Pendulum, CartPole)', () => {
    for (const [env, id] of [['Pendulum-v1', 1], ['CartPole-v1', 0]] as const) {
      for (const extra of [{ first: 3, count: 13 }, { first: 5, count: 7, antithetic: false }, { first: 0, count: 1 }]) {
        const j = job(env, id, extra.count, { ...extra, episodes: 1 });
        const w = local.evaluateSync(j), js = evaluateJs(j);
        for (let i = 0; i < j.count; i++) {
          if (!Object.is(w.fitness[i], js.fitness[i])) throw new Error(`${env} ${JSON.stringify(extra)}: member ${i}: wasm ${w.fitness[i]} js ${js.fitness[i]}`);
          expect(w.steps[i]).toBe(js.steps[i]);
        }
      }
    }
  });
  it('rows and mean sources evaluate the same parameters as the noise source', () => {
    const j = job('CartPole-v1', 0, 6);
    const es = OpenES({ populationSize: 6, sigma: 0.5 });
    const s = { ...es.init(9, j.mean!), generation: 3, sigma: 0.5 };
    const { population } = es.ask(s as never);
    const a = local.evaluateSync(j), b = local.evaluateSync({ ...j, source: 1, rows: population });
    expect(Array.from(b.fitness)).toEqual(Array.from(a.fitness));
  });
  it('2 and 3 workers give the same fitness as 1 worker and as the main thread', async () => {
    const j = job('CartPole-v1', 0, 37);
    const ref = local.evaluateSync(j);
    for (const n of [1, 2, 3]) {
      const pool = await WorkerEvaluator.create(n);
      const r = await pool.evaluate(j);
      await pool.close();
      expect(Array.from(r.fitness)).toEqual(Array.from(ref.fitness));
    }
  });
});
