// The ES throughput job of bench/es.mjs, also timed by bench/es-schedule.mjs and the ES kernel probes:
// population 256, one CartPole-v1 episode of exactly 500 steps per member (termination ignored,
// so the work does not depend on the weights), policy 4→32 LIF→2 LI, f32, noise from seeds;
// how the two ES benches time their implementations of it, and two evaluations kept in flight.
import { makePolicy, noiseVector } from '../../dist/index.js';
import { makeProbe, warmUp, measureInterleaved, callsFor } from './timing.mjs';

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

/**
 * The same members as evolution runs them: 4 episodes each, each ending when the pole falls
 * (or at 500 steps). On this early-generation population episodes last 9–250 steps and a
 * member's 4 take 36–744 in all: the work per member varies ~20-fold.
 */
export function terminatingJob(job) {
  return { ...job, ignoreTermination: false, episodes: 4 };
}

/**
 * `n` evaluations of `job` on `ev` with at most two in flight: the next is posted before the
 * last is awaited, so a worker finds a job queued when it finishes one (the `w1-2runs` rows).
 */
export async function twoInFlight(ev, job, n) {
  let prev = ev.evaluate(job);
  for (let i = 1; i < n; i++) {
    const next = ev.evaluate(job);
    await prev;
    prev = next;
  }
  await prev;
}

/**
 * Warms each implementation until settled, sizes its calls per sample to ~150 ms, then runs
 * interleaved, probe-filtered repetitions (bench/lib/timing.mjs); `quick` for smoke runs.
 * Returns measureInterleaved's record.
 */
export async function measureEsImpls(impls, quick) {
  const warm = quick ? { minMs: 300, maxMs: 1500 } : { minMs: 1500, maxMs: 5000 };
  for (const impl of impls) impl.calls = callsFor((await warmUp(impl, warm)).perCallMs, quick ? 60 : 150);
  return measureInterleaved(impls, makeProbe(), quick ? { minKept: 5, maxReps: 12 } : { minKept: 11, maxReps: 40 });
}
