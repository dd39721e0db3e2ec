// Deployment check: run an evolved policy as a compiled Plan (f32 or int8, the quantizer of
// src/quant/quantize.ts) in closed loop with the TypeScript environment twin, many episodes
// stepped together as the Plan's batch.
//
// int8 input scale: the quantizer's default (1/127, inputs in [−1, 1]) clips observations that
// leave [−1, 1]. PointMass's velocity does (|v| reaches ~3–5 under an evolved policy): with the
// default, control-lif-es scored −2.8 as int8 against −0.62 as f32. evaluatePlan therefore sizes
// the input scale from the f32 Plan's own closed-loop inputs on the same episodes
// (deployInputScale: 1.25 × the largest |input| / 127, never below 1/127); int8 then scores
// −0.62 like f32.
import type { Runtime } from '../runtime/runtime.js';
import { compile, type Plan, type Precision } from '../runtime/plan.js';
import type { NetworkSpec } from '../runtime/network.js';
import type { QuantizeOptions } from '../quant/quantize.js';
import type { Policy } from './policy.js';
import { resetUniforms } from './rng.js';
import { EVAL_GENERATION } from './run.js';

/** Closed-loop episodes of a compiled Plan; returns the mean return and the largest |input|. */
function rollout(plan: Plan, policy: Policy, episodes: number, seed: number): { mean: number; maxAbsInput: number } {
  const env = policy.env;
  const states = Array.from({ length: episodes }, (_, e) => env.reset(resetUniforms(seed, EVAL_GENERATION, e)));
  const done = new Uint8Array(episodes);
  const ret = new Float64Array(episodes);
  const x = new Float32Array(episodes * policy.inN);
  const obs = new Float64Array(env.observationSize);
  let maxAbsInput = 0;
  for (let t = 0; t < env.maxEpisodeSteps; t++) {
    for (let e = 0; e < episodes; e++) {
      env.observe(states[e], obs);
      for (let i = 0; i < policy.inN; i++) {
        const v = Math.fround(obs[i]) * policy.observationScale[i];
        x[e * policy.inN + i] = v;
        if (!done[e] && Math.abs(v) > maxAbsInput) maxAbsInput = Math.abs(v);
      }
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
  return { mean: ret.reduce((a, b) => a + b, 0) / episodes, maxAbsInput };
}

/**
 * int8 input scale for deploying `network`: 1.25 × the largest |input| the f32 Plan sees in
 * closed loop over the evaluation episodes, / 127 (at least 1/127, the quantizer's default).
 * @param rt Runtime to compile into.
 * @param policy The policy description.
 * @param network The exported network (inputs = observations × observationScale).
 * @param episodes Number of episodes.
 * @param seed Run seed.
 */
export function deployInputScale(rt: Runtime, policy: Policy, network: NetworkSpec, episodes = 100, seed = 0): number {
  const mark = rt.mark();
  try {
    const { maxAbsInput } = rollout(compile(rt, network, { precision: 'f32', batch: episodes }), policy, episodes, seed);
    return Math.max(1, 1.25 * maxAbsInput) / 127;
  } finally {
    rt.release(mark);
  }
}

/**
 * Mean return of a NetworkSpec policy deployed as a Plan, over `episodes` episodes (the same
 * start states as the wasm evaluator's evaluation episodes for `seed`).
 * @param rt Runtime to compile into.
 * @param policy The policy description (environment, observation scale, action decoding).
 * @param network The exported network (inputs = observations × observationScale).
 * @param precision `f32` or `int8`.
 * @param episodes Number of episodes (the Plan's batch).
 * @param seed Run seed.
 * @param quantization int8 only: quantizer options (default: `inputScale` from {@link deployInputScale}).
 */
export function evaluatePlan(rt: Runtime, policy: Policy, network: NetworkSpec, precision: Precision,
                             episodes = 100, seed = 0, quantization?: QuantizeOptions): number {
  const q = precision === 'int8' ? quantization ?? { inputScale: deployInputScale(rt, policy, network, episodes, seed) } : undefined;
  const mark = rt.mark();
  try {
    return rollout(compile(rt, network, { precision, batch: episodes, quantization: q }), policy, episodes, seed).mean;
  } finally {
    rt.release(mark);
  }
}
