// Deployment check: run an evolved policy as a compiled Plan (f32 or int8, the quantizer of
// src/quant/quantize.ts) in closed loop with the TypeScript environment twin, many episodes
// stepped together as the Plan's batch.
import type { Runtime } from '../runtime/runtime.js';
import { compile, type Precision } from '../runtime/plan.js';
import type { NetworkSpec } from '../runtime/network.js';
import type { Policy } from './policy.js';
import { resetUniforms } from './rng.js';
import { EVAL_GENERATION } from './run.js';

/**
 * Mean return of a NetworkSpec policy deployed as a Plan, over `episodes` episodes (the same
 * start states as the wasm evaluator's evaluation episodes for `seed`).
 * @param rt Runtime to compile into.
 * @param policy The policy description (environment, observation scale, action decoding).
 * @param network The exported network (inputs = observations × observationScale).
 * @param precision `f32` or `int8`.
 * @param episodes Number of episodes (the Plan's batch).
 * @param seed Run seed.
 */
export function evaluatePlan(rt: Runtime, policy: Policy, network: NetworkSpec, precision: Precision,
                             episodes = 100, seed = 0): number {
  const mark = rt.mark();
  try {
    const plan = compile(rt, network, { precision, batch: episodes });
    const env = policy.env;
    const states = Array.from({ length: episodes }, (_, e) => env.reset(resetUniforms(seed, EVAL_GENERATION, e)));
    const done = new Uint8Array(episodes);
    const ret = new Float64Array(episodes);
    const x = new Float32Array(episodes * policy.inN);
    const obs = new Float64Array(env.observationSize);
    for (let t = 0; t < env.maxEpisodeSteps; t++) {
      for (let e = 0; e < episodes; e++) {
        env.observe(states[e], obs);
        for (let i = 0; i < policy.inN; i++) x[e * policy.inN + i] = Math.fround(obs[i]) * policy.observationScale[i];
      }
      const v = plan.step(x).membrane;
      let live = 0;
      for (let e = 0; e < episodes; e++) {
        if (done[e]) continue;
        const o = v.subarray(e * policy.outN, (e + 1) * policy.outN);
        const action = env.actionSpace.type === 'discrete' ? (o[1] > o[0] ? 1 : 0) : o[0] * policy.actionScale;
        const r = env.step(states[e], action);
        ret[e] += r.reward;
        if (r.terminated) done[e] = 1; else live++;
      }
      if (live === 0) break;
    }
    return ret.reduce((a, b) => a + b, 0) / episodes;
  } finally {
    rt.release(mark);
  }
}
