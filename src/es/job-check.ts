// The checks an evaluation job passes before it reaches the wasm kernel or its plain-JS twin.
// The kernel trusts its cfg record (sizes, counts, array lengths) the way every kernel trusts
// its pointers, so a job with a wrong `dims` or a short `mean` would read neighbouring memory
// and return plausible nonsense; here it is a typed error naming the field instead.
import { SpikeletError } from '../errors.js';
import { CARTPOLE_V1, PENDULUM_V1, POINTMASS_V0, type EnvDefinition } from '../envs/classic.js';
import type { EvalJob } from './evaluator.js';

/** Largest population slice, hidden size, episode count and episode length a job may ask for. */
const MAX_COUNT = 1 << 20, MAX_HIDDEN = 4096, MAX_EPISODES = 1 << 20, MAX_STEPS = 1 << 24;

/** The environments the kernel steps (assembly/env/classic.ts), each with its wasm id. */
const WASM_ENVS: readonly EnvDefinition[] = [CARTPOLE_V1, PENDULUM_V1, POINTMASS_V0];

/** The environment whose wasm id is `id`, or a typed error. */
function envOfJob(id: number, where: string): EnvDefinition {
  const d = WASM_ENVS.find((e) => e.wasmId === id);
  if (d) return d;
  throw new SpikeletError('unsupported', where, 'job.env',
    `a wasm environment id (${WASM_ENVS.map((e) => `${e.wasmId} ${e.name}`).join(', ')})`, id);
}

/**
 * Checks every field of an evaluation job (sizes against the environment and the policy shape,
 * array lengths against `dims` and `count`, integer ranges); throws a {@link SpikeletError}
 * naming the first offending field.
 * @param job The job.
 * @param where The API that received it, for the message.
 * @returns The job's environment.
 */
export function checkEvalJob(job: EvalJob, where: string): EnvDefinition {
  if (job === null || typeof job !== 'object') throw new SpikeletError('invalid_param', where, 'job', 'an EvalJob object', job);
  const int = (field: keyof EvalJob, lo: number, hi: number) => {
    const v = job[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      throw new SpikeletError('invalid_param', where, `job.${field}`, `an integer in [${lo}, ${hi}]`, v);
    }
  };
  const array = (field: 'mean' | 'sigma' | 'rows' | 'consts' | 'quant', type: Float64ArrayConstructor | Float32ArrayConstructor, length: number) => {
    const v = job[field];
    if (!(v instanceof type) || v.length !== length) {
      throw new SpikeletError('shape_mismatch', where, `job.${field}`, `a ${type.name} of length ${length}`, v);
    }
  };
  const env = envOfJob(job.env, where);
  const outN = env.actionSpace.type === 'discrete' ? env.actionSpace.n : 1;
  if (job.inN !== env.observationSize) {
    throw new SpikeletError('shape_mismatch', where, 'job.inN', `${env.observationSize} (${env.name} observations)`, job.inN);
  }
  if (job.outN !== outN) throw new SpikeletError('shape_mismatch', where, 'job.outN', `${outN} (${env.name} actions)`, job.outN);
  int('hidden', 1, MAX_HIDDEN);
  const D = job.hidden * job.inN + job.hidden + job.outN * job.hidden + job.outN;
  if (job.dims !== D) throw new SpikeletError('shape_mismatch', where, 'job.dims', `${D} (hidden·inN + hidden + outN·hidden + outN)`, job.dims);
  int('episodes', 1, MAX_EPISODES);
  int('maxSteps', 1, MAX_STEPS);
  if (job.episodes * job.maxSteps > 2 ** 31 - 1) {
    throw new SpikeletError('invalid_param', where, 'job.episodes', `at most ${Math.floor((2 ** 31 - 1) / job.maxSteps)} with maxSteps ${job.maxSteps} (steps counted in int32)`, job.episodes);
  }
  int('count', 0, MAX_COUNT);
  int('first', 0, 2 ** 31 - 1 - job.count);
  int('seed', -(2 ** 31), 2 ** 32 - 1);
  int('generation', -(2 ** 31), 2 ** 32 - 1);
  int('resetGeneration', -(2 ** 31), 2 ** 32 - 1);
  if (typeof job.antithetic !== 'boolean') throw new SpikeletError('invalid_param', where, 'job.antithetic', 'a boolean', job.antithetic);
  if (job.ignoreTermination !== undefined && typeof job.ignoreTermination !== 'boolean') {
    throw new SpikeletError('invalid_param', where, 'job.ignoreTermination', 'a boolean or undefined', job.ignoreTermination);
  }
  if (job.source === 0) {
    array('mean', Float64Array, D);
    array('sigma', Float64Array, D);
  } else if (job.source === 1) {
    array('rows', Float32Array, job.count * D);
  } else if (job.source === 2) {
    array('mean', Float64Array, D);
  } else {
    throw new SpikeletError('invalid_param', where, 'job.source', '0 (mean + σ·noise), 1 (rows) or 2 (the mean)', job.source);
  }
  array('consts', Float32Array, 16);
  if (job.precision !== undefined && job.precision !== 'f32' && job.precision !== 'int8') {
    throw new SpikeletError('invalid_param', where, 'job.precision', '"f32", "int8" or undefined', job.precision);
  }
  if (job.precision === 'int8') {
    if (env.name !== 'CartPole-v1') throw new SpikeletError('unsupported', where, 'job.precision', '"f32" for ' + env.name + ' (int8 evaluation: CartPole-v1 only)', job.precision);
    array('quant', Float64Array, 16);
  }
  return env;
}
