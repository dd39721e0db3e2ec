// The wasm evaluator: equal to the plain-JS twin bit for bit; N workers equal 1 worker; the
// strategies' host-side population equals what the kernel evaluates.
import { describe, it, expect } from 'vitest';
import { LocalEvaluator, WorkerEvaluator, evaluateJs, makePolicy, OpenES, SpikeletError, type EvalJob } from '../src/index.js';
import { prepareJob } from '../src/es/evaluator.js';
import { embeddedInstance } from './helpers/kernels.js';

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
  /** The kernel's fitness and step counts equal evaluateJs's bit for bit, member by member. */
  const expectTwin = (j: EvalJob, label: string) => {
    const w = local.evaluateSync(j), js = evaluateJs(j);
    for (let i = 0; i < j.count; i++) {
      if (!Object.is(w.fitness[i], js.fitness[i])) throw new Error(`${label}: member ${i} / ${j.count}: wasm ${w.fitness[i]} js ${js.fitness[i]}`);
      expect(w.steps[i], label).toBe(js.steps[i]);
    }
  };
  for (const [env, id] of [['CartPole-v1', 0], ['Pendulum-v1', 1], ['PointMass-v0', 2]] as const) {
    it(`${env}: wasm equals the plain-JS twin bit for bit (counts not multiple of 4 too)`, () => {
      const j = job(env, id, 10);
      expectTwin(j, env);
    });
  }
  it('odd first member, tails and non-antithetic noise: wasm equals the plain-JS twin (Pendulum, CartPole)', () => {
    for (const [env, id] of [['Pendulum-v1', 1], ['CartPole-v1', 0]] as const) {
      for (const extra of [{ first: 3, count: 13 }, { first: 5, count: 7, antithetic: false }, { first: 0, count: 1 }]) {
        const j = job(env, id, extra.count, { ...extra, episodes: 1 });
        expectTwin(j, `${env} ${JSON.stringify(extra)}`);
      }
    }
  });
  it('CartPole lane recycling: 45 members of mixed lifetimes (terminated, truncated), 3 episodes each, on 16 lanes equal the twin', () => {
    // Mean 0, σ 1, maxSteps 60: lifetimes 26–180 steps over 3 episodes (18 distinct totals, some
    // members truncated every episode), so lanes end episodes at different steps, take new
    // members mid-run and go idle one by one at the end.
    const base = job('CartPole-v1', 0, 45, { first: 5, episodes: 3, maxSteps: 60 });
    const mean = new Float64Array(base.dims), sigma = new Float64Array(base.dims).fill(1);
    const lifetimes = new LocalEvaluator().evaluateSync({ ...base, mean, sigma }).steps;
    expect(new Set(lifetimes).size).toBeGreaterThan(10);
    expect(lifetimes.filter((s) => s === 180).length).toBeGreaterThan(0);
    for (const extra of [{}, { ignoreTermination: true }, { episodes: 1, count: 33 }, { count: 17, antithetic: false }]) {
      const j = { ...base, mean, sigma, ...extra };
      expectTwin(j, JSON.stringify(extra));
    }
  });
  it('episode sharing: the 100 evaluation episodes of one policy, and few members with many episodes, spread over the lanes equal the twin', () => {
    const base = job('CartPole-v1', 0, 1, { episodes: 100, maxSteps: 200 });
    const mean = new Float64Array(base.dims), sigma = new Float64Array(base.dims).fill(1);
    for (const extra of [{ count: 1, source: 2 as const }, { count: 1 }, { count: 5, episodes: 9, maxSteps: 60 }, { count: 19, episodes: 3, maxSteps: 60, first: 5 }]) {
      const j = { ...base, mean, sigma, ...extra };
      expectTwin(j, JSON.stringify(extra));
    }
  });
  it('the block protocol: blocks handed out in any order, and a call made before any block asks for one', () => {
    const base = job('CartPole-v1', 0, 45, { first: 5, episodes: 3, maxSteps: 60 });
    const j = { ...base, mean: new Float64Array(base.dims), sigma: new Float64Array(base.dims).fill(1) };
    const want = evaluateJs(j);
    const { memory, ex, base: free } = embeddedInstance();
    const p = prepareJob(ex, memory, free, j);
    const order = [40, 8, 32, 0, 24, 16];
    const claims: number[] = [];
    p.runClaiming(() => { const b = order.shift() ?? -1; claims.push(b); return b; });
    expect(claims).toEqual([40, 8, 32, 0, 24, 16, -1]);
    const got = p.view(0, j.count);
    expect(Array.from(got.fitness)).toEqual(Array.from(want.fitness));
    expect(Array.from(got.steps)).toEqual(Array.from(want.steps));
    // Straight to the kernel in block mode with no block handed out: it asks (returns 1), then
    // runs once given one (cfg word 30 = mode, 32 = the block, as prepareJob lays them out).
    const q = prepareJob(ex, memory, free, { ...j, count: 8 });
    const evalF32 = ex.es_eval_f32 as (cfg: number) => number;
    const cfg = free, w = new Int32Array(memory.buffer, cfg, 64); // prepareJob puts the cfg record first
    w[30] = 1; w[32] = -2;
    expect(evalF32(cfg)).toBe(1);
    w[32] = 0;
    expect(evalF32(cfg)).toBe(1); // its 16 lanes want more than the block's 8 members
    w[32] = -1;
    expect(evalF32(cfg)).toBe(0);
    expect(Array.from(q.view(0, 8).fitness)).toEqual(Array.from(want.fitness.slice(0, 8)));
  });
  it('rows and mean sources evaluate the same parameters as the noise source', () => {
    const j = job('CartPole-v1', 0, 6);
    const es = OpenES({ populationSize: 6, sigma: 0.5 });
    const s = { ...es.init(9, j.mean!), generation: 3, sigma: 0.5 };
    const { population } = es.ask(s as never);
    const a = local.evaluateSync(j), b = local.evaluateSync({ ...j, source: 1, rows: population });
    expect(Array.from(b.fitness)).toEqual(Array.from(a.fitness));
  });
  it('2 and 3 workers give the same fitness as 1 worker and as the main thread, under both schedules', async () => {
    const j = job('CartPole-v1', 0, 37);
    const ref = local.evaluateSync(j);
    for (const schedule of ['dynamic', 'static'] as const) {
      for (const n of [1, 2, 3]) {
        const pool = await WorkerEvaluator.create(n, undefined, { schedule });
        expect(pool.schedule).toBe(schedule); // Node has SharedArrayBuffer: no fallback
        const r = await pool.evaluate(j);
        await pool.close();
        expect(Array.from(r.fitness), `${schedule}, ${n} workers`).toEqual(Array.from(ref.fitness));
        expect(Array.from(r.steps), `${schedule}, ${n} workers`).toEqual(Array.from(ref.steps));
      }
    }
  });
  it('the dynamic schedule: kernels claiming blocks of 8 mid-run, partial blocks, odd first members, rows and mean sources, every environment', async () => {
    const pool = await WorkerEvaluator.create(2, undefined, { schedule: 'dynamic' });
    try {
      const mixed = job('CartPole-v1', 0, 45, { first: 5, episodes: 3, maxSteps: 60 });
      const cases: [string, EvalJob][] = [
        ['CartPole 256 (32 blocks)', job('CartPole-v1', 0, 256, { episodes: 1, maxSteps: 60 })],
        ['CartPole 53 from member 5 (6 blocks and a tail of 5)', job('CartPole-v1', 0, 53, { first: 5, episodes: 1 })],
        ['CartPole 45 of mixed lifetimes, 3 episodes (lanes claim while others run)',
          { ...mixed, mean: new Float64Array(mixed.dims), sigma: new Float64Array(mixed.dims).fill(1) }],
        ['CartPole 3 (one partial block: one worker gets nothing)', job('CartPole-v1', 0, 3, { episodes: 1 })],
        ['Pendulum 21, not antithetic', job('Pendulum-v1', 1, 21, { antithetic: false, episodes: 1 })],
        ['PointMass 40', job('PointMass-v0', 2, 40, { episodes: 1 })],
        ['CartPole mean source', job('CartPole-v1', 0, 9, { source: 2 })],
        ['empty', job('CartPole-v1', 0, 0)],
      ];
      const es = OpenES({ populationSize: 34, sigma: 0.5 });
      const base = job('CartPole-v1', 0, 34, { episodes: 1 });
      const { population } = es.ask({ ...es.init(4, base.mean!), generation: 3, sigma: 0.5 } as never);
      cases.push(['CartPole rows source (each block reads its own rows)', { ...base, source: 1, rows: population }]);
      for (const [name, j] of cases) {
        const r = await pool.evaluate(j), want = local.evaluateSync(j);
        expect(r.fitness.length, name).toBe(j.count);
        expect(Array.from(r.fitness), name).toEqual(Array.from(want.fitness));
        expect(Array.from(r.steps), name).toEqual(Array.from(want.steps));
      }
    } finally {
      await pool.close();
    }
  });
  it('jobs in flight at once on one pool (two runs sharing it) each get their own results, under both schedules', async () => {
    const jobs = [
      job('CartPole-v1', 0, 37, { episodes: 1 }),
      job('Pendulum-v1', 1, 12, { episodes: 1, generation: 4 }),
      job('CartPole-v1', 0, 20, { first: 3, seed: 11, episodes: 3, maxSteps: 80 }),
      job('PointMass-v0', 2, 9, { episodes: 1 }),
    ];
    const want = jobs.map((j) => local.evaluateSync(j));
    for (const schedule of ['dynamic', 'static'] as const) {
      for (const n of [1, 2]) {
        const pool = await WorkerEvaluator.create(n, undefined, { schedule });
        try {
          const got = await Promise.all([...jobs, ...jobs].map((j) => pool.evaluate(j)));
          got.forEach((r, i) => {
            const label = `${schedule}, ${n} workers, job ${i}`;
            expect(Array.from(r.fitness), label).toEqual(Array.from(want[i % jobs.length].fitness));
            expect(Array.from(r.steps), label).toEqual(Array.from(want[i % jobs.length].steps));
          });
        } finally {
          await pool.close();
        }
      }
    }
  });
  it('bad jobs get typed errors naming the field, from every evaluator and from evaluateJs, and leave the instance usable', async () => {
    const good = job('CartPole-v1', 0, 6);
    const bad: [Partial<EvalJob> & Record<string, unknown>, RegExp][] = [
      [{ env: 9 }, /invalid job\.env: expected a wasm environment id .* but received 9/],
      [{ inN: 3 }, /invalid job\.inN: expected 4 \(CartPole-v1 observations\) but received 3/],
      [{ outN: 1 }, /invalid job\.outN: expected 2 \(CartPole-v1 actions\) but received 1/],
      [{ dims: 5 }, /invalid job\.dims: expected \d+ \(hidden·inN \+ hidden \+ outN·hidden \+ outN\) but received 5/],
      [{ hidden: 0 }, /invalid job\.hidden: expected an integer in \[1, 4096\] but received 0/],
      [{ count: -1 }, /invalid job\.count: expected an integer in \[0, 1048576\] but received -1/],
      [{ count: 2.5 }, /invalid job\.count/],
      [{ episodes: 0 }, /invalid job\.episodes: expected an integer in \[1, 1048576\] but received 0/],
      [{ maxSteps: 0 }, /invalid job\.maxSteps/],
      [{ episodes: 1 << 20, maxSteps: 1 << 12 }, /invalid job\.episodes: expected at most 524287 with maxSteps 4096/],
      [{ first: -1 }, /invalid job\.first/],
      [{ seed: 0.5 }, /invalid job\.seed/],
      [{ antithetic: 1 as never }, /invalid job\.antithetic: expected a boolean but received 1/],
      [{ mean: new Float64Array(3) }, /invalid job\.mean: expected a Float64Array of length \d+ but received Float64Array\(3\)/],
      [{ sigma: undefined }, /invalid job\.sigma: expected a Float64Array/],
      [{ source: 1 }, /invalid job\.rows: expected a Float32Array of length \d+ but received undefined/],
      [{ source: 5 as never }, /invalid job\.source/],
      [{ consts: new Float32Array(15) }, /invalid job\.consts: expected a Float32Array of length 16/],
      [{ precision: 'int4' as never }, /invalid job\.precision: expected "f32", "int8" or undefined but received "int4"/],
      [{ precision: 'int8' }, /invalid job\.quant: expected a Float64Array of length 16 but received undefined/],
    ];
    const pend = job('Pendulum-v1', 1, 4, { precision: 'int8' });
    const pool = await WorkerEvaluator.create(2);
    try {
      for (const [extra, re] of bad) {
        const j = { ...good, ...extra } as EvalJob;
        expect(() => local.evaluateSync(j), JSON.stringify(extra)).toThrow(re);
        expect(() => evaluateJs(j), JSON.stringify(extra)).toThrow(re);
        await expect(pool.evaluate(j), JSON.stringify(extra)).rejects.toThrow(re);
      }
      expect(() => local.evaluateSync({ ...good, env: 9 })).toThrow(SpikeletError);
      expect(() => local.evaluateSync(pend)).toThrow(/invalid job\.precision: expected "f32" for Pendulum-v1 \(int8 evaluation: CartPole-v1 only\)/);
      const want = evaluateJs(good);
      expect(Array.from(local.evaluateSync(good).fitness)).toEqual(Array.from(want.fitness));
      expect(Array.from((await pool.evaluate(good)).fitness)).toEqual(Array.from(want.fitness));
    } finally {
      await pool.close();
    }
  });
  it('a pool rejects an unknown schedule and a bad worker count with typed errors', async () => {
    await expect(WorkerEvaluator.create(2, undefined, { schedule: 'round-robin' as never })).rejects.toThrow(
      /WorkerEvaluator\.create: invalid options\.schedule: expected "dynamic" or "static" but received "round-robin"/);
    await expect(WorkerEvaluator.create(0)).rejects.toThrow(/invalid workers: expected an integer in \[1, 64\] but received 0/);
  });
});
