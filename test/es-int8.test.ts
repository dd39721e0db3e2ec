// int8 evaluation mode: the kernel (es_eval_f32, cfg 15 = 1) equals its plain-JS twin bit for
// bit, the twin's per-member quantization equals quantizeNetwork's, and its rollout equals the
// integer model of the deployed network (IntegerReference = the int8 Plan) step for step.
import { describe, it, expect } from 'vitest';
import { evolve, LocalEvaluator, WorkerEvaluator, evaluateJs, makePolicy, policyNetwork, memberParams, IntegerReference, Runtime, compile, type EvalJob } from '../src/index.js';
import { quantizeNetwork } from '../src/quant/quantize.js';
import { validateNetwork } from '../src/runtime/network.js';
import { ceilLog2, int8Constants, quantizeMember } from '../src/es/policy.js';
import { envDefinition } from '../src/envs/classic.js';
import { resetUniforms } from '../src/es/rng.js';

const pol = makePolicy('CartPole-v1', { hidden: 16 });
function job(count: number, extra: Partial<EvalJob> = {}): EvalJob {
  const mean = Float64Array.from({ length: pol.dims }, (_, i) => Math.sin(i * 1.7) * 1.5);
  return {
    env: 0, inN: pol.inN, hidden: pol.hidden, outN: pol.outN, dims: pol.dims, episodes: 2, maxSteps: 500,
    first: 0, count, antithetic: true, seed: 9, generation: 3, resetGeneration: 3, source: 0, mean,
    sigma: new Float64Array(pol.dims).fill(0.5), consts: pol.consts, precision: 'int8', quant: pol.int8Quant, ...extra,
  };
}
const same = (a: Float64Array, b: Float64Array, what: string) => {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`${what}: member ${i}: ${a[i]} vs ${b[i]}`);
};

describe('es_eval int8 mode', () => {
  const local = new LocalEvaluator();
  it('wasm equals the plain-JS twin bit for bit (tails, odd first, non-antithetic, input scales, H > 256)', () => {
    for (const extra of [{ count: 21 }, { first: 3, count: 13 }, { first: 5, count: 7, antithetic: false }, { count: 1 },
      { count: 9, quant: int8Constants(pol, 1 / 32) }, { count: 10, sigma: new Float64Array(pol.dims).fill(3) }, { count: 12, sigma: new Float64Array(pol.dims).fill(1e6) },
      { count: 64, mean: Float64Array.from({ length: pol.dims }, (_, i) => Math.sin(i * 1.7) * 0.5), sigma: new Float64Array(pol.dims).fill(1) }] as Partial<EvalJob>[]) {
      const j = job(extra.count!, extra);
      const w = local.evaluateSync(j), js = evaluateJs(j);
      same(w.fitness, js.fitness, JSON.stringify({ ...extra, quant: undefined, sigma: undefined, mean: undefined }));
      same(w.steps, js.steps, 'steps');
    }
    const big = makePolicy('CartPole-v1', { hidden: 300 });
    const j = { ...job(9), hidden: 300, dims: big.dims, mean: new Float64Array(big.dims).fill(0.3), sigma: new Float64Array(big.dims).fill(1), episodes: 1 };
    same(local.evaluateSync(j).fitness, evaluateJs(j).fitness, 'H = 300');
  });
  it('lane recycling: 45 members of mixed lifetimes and mixed clamp needs, 3 episodes each, on 8 lanes equal the twin', () => {
    // Mean 0, σ 1, maxSteps 60: lifetimes vary ~7-fold (some members truncated every episode);
    // every third member's rows scaled by 1e6 needs the clamping hidden layer, so the lanes'
    // "currents fit i32" flags change as members come and go.
    const base = job(45, { first: 5, episodes: 3, maxSteps: 60, mean: new Float64Array(pol.dims), sigma: new Float64Array(pol.dims).fill(1) });
    const js0 = evaluateJs(base);
    expect(new Set(js0.steps).size).toBeGreaterThan(8);
    same(local.evaluateSync(base).fitness, js0.fitness, 'noise source');
    const rows = new Float32Array(45 * pol.dims);
    for (let i = 0; i < 45; i++) {
      const x = memberParams(base.seed, base.generation, base.first + i, true, base.mean!, base.sigma!);
      rows.set(i % 3 === 0 ? x.map((v) => v * 1e6) : x, i * pol.dims);
    }
    const j = { ...base, source: 1 as const, rows };
    const w = local.evaluateSync(j), js = evaluateJs(j);
    same(w.fitness, js.fitness, 'rows, mixed scales');
    same(w.steps, js.steps, 'steps');
  });
  it('episode sharing: few members with many episodes spread over the 8 lanes equal the twin', () => {
    for (const extra of [{ count: 1, episodes: 40, maxSteps: 120 }, { count: 3, episodes: 11, maxSteps: 60, sigma: new Float64Array(pol.dims).fill(1e6) }] as Partial<EvalJob>[]) {
      const j = job(extra.count!, { mean: new Float64Array(pol.dims), sigma: new Float64Array(pol.dims).fill(1), ...extra });
      const w = local.evaluateSync(j), js = evaluateJs(j);
      same(w.fitness, js.fitness, `count ${j.count}, ${j.episodes} episodes`);
      same(w.steps, js.steps, 'steps');
    }
  });
  it('rows and mean sources evaluate the same int8 deployments as the noise source', () => {
    const j = job(6);
    const rows = new Float32Array(6 * pol.dims);
    for (let i = 0; i < 6; i++) rows.set(memberParams(j.seed, j.generation, i, true, j.mean!, j.sigma!), i * pol.dims);
    const a = local.evaluateSync(j), b = local.evaluateSync({ ...j, source: 1, rows });
    expect(Array.from(b.fitness)).toEqual(Array.from(a.fitness));
    const c = local.evaluateSync({ ...j, source: 2, count: 3 }), d = evaluateJs({ ...j, source: 2, count: 3 });
    expect(Array.from(c.fitness)).toEqual(Array.from(d.fitness));
  });
  it('spreads fitness (the policies differ) and is not the f32 result', () => {
    const j = job(16);
    const a = local.evaluateSync(j), b = local.evaluateSync({ ...j, precision: 'f32' });
    expect(new Set(a.fitness).size).toBeGreaterThan(2);
    expect(Array.from(a.fitness)).not.toEqual(Array.from(b.fitness));
  });
  it('workers equal the main thread (both schedules)', async () => {
    const j = job(37, { episodes: 1 });
    for (const schedule of ['dynamic', 'static'] as const) {
      const pool = await WorkerEvaluator.create(2, undefined, { schedule });
      const r = await pool.evaluate(j);
      await pool.close();
      expect(Array.from(r.fitness), schedule).toEqual(Array.from(local.evaluateSync(j).fitness));
    }
  });
  it('ceilLog2 equals Math.ceil(Math.log2(x)), near powers of two too', () => {
    const d = new DataView(new ArrayBuffer(8));
    for (let n = -40; n <= 40; n++) {
      for (let m = 0; m < 64; m++) {
        for (const sgn of [1, -1]) {
          const x = 2 ** n * (1 + sgn * m * 2 ** -52);
          expect(ceilLog2(x) === Math.ceil(Math.log2(x)), `${x}`).toBe(true); // −0 and 0 alike
        }
      }
      d.setFloat64(0, 2 ** n * 1.37);
      expect(ceilLog2(d.getFloat64(0))).toBe(Math.ceil(Math.log2(d.getFloat64(0))) + 0);
    }
  });
  it('deploys bit-exactly: per-member quantization = quantizeNetwork, rollout = IntegerReference (the int8 Plan model)', () => {
    const def = envDefinition('CartPole-v1');
    const rt = Runtime.createSync();
    const stepsSeen: number[] = [];
    // Members with long episodes (mean 0.5·sin, σ 1): the three longest for each input scale.
    const mean = Float64Array.from({ length: pol.dims }, (_, i) => Math.sin(i * 1.7) * 0.5);
    const cases: [number, number][] = [];
    for (const inputScale of [1 / 127, 1 / 32]) {
      const st = local.evaluateSync(job(64, { quant: int8Constants(pol, inputScale), episodes: 1, mean, sigma: new Float64Array(pol.dims).fill(1) })).steps;
      const top = Array.from(st.keys()).sort((a, b) => st[b] - st[a]).slice(0, 3);
      for (const i of top) cases.push([inputScale, i]);
    }
    for (const [inputScale, i] of cases) {
      const j = job(64, { quant: int8Constants(pol, inputScale), episodes: 1, mean, sigma: new Float64Array(pol.dims).fill(1) });
      const p = memberParams(j.seed, j.generation, i, true, j.mean!, j.sigma!);
      const qn = quantizeNetwork(validateNetwork(policyNetwork(pol, p)), { inputScale });
      const qm = quantizeMember(p, pol.inN, pol.hidden, pol.outN, j.quant!);
      const [b0, b1] = qn.blocks;
      expect(Array.from(qm.w1)).toEqual(Array.from(b0.weight));
      expect(Array.from(qm.w2)).toEqual(Array.from(b1.weight));
      expect(Array.from(qm.m1)).toEqual(Array.from(b0.m1)); expect(qm.s1).toBe(b0.s1);
      expect(Array.from(qm.m2)).toEqual(Array.from(b1.m1)); expect(qm.s2).toBe(b1.s1);
      expect(Array.from(qm.bias1)).toEqual(Array.from(b0.bias)); expect(Array.from(qm.bias2)).toEqual(Array.from(b1.bias));
      expect(Array.from(qm.unit2)).toEqual(Array.from(b1.unit));
      expect([b0.decayQ15[0], b1.decayQ15[0], b0.leakI16[0], b1.leakI16[0], b0.vResetI16[0]]).toEqual([j.quant![3], j.quant![5], 0, 0, 0]);
      // Closed loop with the integer model: same return as the kernel's member i.
      const ref = new IntegerReference(qn, 1);
      const s = def.reset(resetUniforms(j.seed, j.resetGeneration, 0));
      const obs = new Float64Array(4), x = new Float32Array(4);
      let steps = 0;
      for (let t = 0; t < 500; t++) {
        def.observe(s, obs);
        for (let k = 0; k < 4; k++) x[k] = Math.fround(obs[k]) * pol.observationScale[k];
        ref.step(x);
        const v = ref.membrane(1), u = b1.unit;
        const o0 = Math.fround(v[0] * Math.fround(u[0])), o1 = Math.fround(v[1] * Math.fround(u[1]));
        steps++;
        if (def.step(s, o1 > o0 ? 1 : 0).terminated) break;
      }
      expect(local.evaluateSync(j).steps[i]).toBe(steps);
      // And the compiled int8 Plan itself, closed loop.
      const plan = compile(rt, policyNetwork(pol, p), { precision: 'int8', batch: 1, quantization: { inputScale } });
      const s2 = def.reset(resetUniforms(j.seed, j.resetGeneration, 0));
      let steps2 = 0;
      for (let t = 0; t < 500; t++) {
        def.observe(s2, obs);
        for (let k = 0; k < 4; k++) x[k] = Math.fround(obs[k]) * pol.observationScale[k];
        const o = plan.step(x).membrane;
        steps2++;
        if (def.step(s2, o[1] > o[0] ? 1 : 0).terminated) break;
      }
      expect(steps2).toBe(steps);
      stepsSeen.push(steps);
    }
    expect(Math.max(...stepsSeen), `episode lengths ${stepsSeen}`).toBeGreaterThan(100);
  });
  it("evolve({ precision: 'int8' }) runs on CartPole, is deterministic, and refuses other tasks", async () => {
    const cfg = { env: 'CartPole-v1', policy: { hidden: 8 }, generations: 2, episodes: 1, seed: 3, initStd: 1, precision: 'int8' as const, targetEpisodes: 4,
      strategyParams: { populationSize: 32, sigma: 0.5, learningRate: 0.05 } };
    const a = await evolve(cfg), b = await evolve(cfg), f = await evolve({ ...cfg, precision: 'f32' });
    expect(a.history.map((h) => h.meanFitness)).toEqual(b.history.map((h) => h.meanFitness));
    expect(a.history.map((h) => h.meanFitness)).not.toEqual(f.history.map((h) => h.meanFitness));
    await expect(evolve({ ...cfg, env: 'Pendulum-v1' })).rejects.toThrow(/int8/);
  });
});
