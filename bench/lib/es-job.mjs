// The ES throughput job of bench/es.mjs, also timed by bench/es-schedule.mjs and bench/kernel-probe-es-stages.mjs:
// population 256, one CartPole-v1 episode of exactly 500 steps per member (termination ignored,
// so the work does not depend on the weights), policy 4→32 LIF→2 LI, f32, noise from seeds.
import { makePolicy, noiseVector } from '../../dist/index.js';

export const ES_POPULATION = 256;
export const ES_STEPS = 500;

/** The policy and the evaluation job (fields as EvalJob, src/es/evaluator.ts). */
export function cartpoleBenchJob() {
  const pol = makePolicy('CartPole-v1', { hidden: 32 });
  const job = {
    env: pol.env.wasmId, inN: pol.inN, hidden: pol.hidden, outN: pol.outN, dims: pol.dims, episodes: 1, maxSteps: ES_STEPS,
    first: 0, count: ES_POPULATION, antithetic: true, seed: 7, generation: 0, resetGeneration: 0, source: 0, ignoreTermination: true,
    mean: noiseVector(1, 0, 0, pol.dims), sigma: new Float64Array(pol.dims).fill(0.5), consts: pol.consts,
  };
  return { pol, job };
}
