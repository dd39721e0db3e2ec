// Shared helpers of the training tests: the PyTorch reference fixtures (read in place from
// ../shared/fixtures/training; tests skip with a printed reason when they are absent).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainModelSpec, TrainLayerParams } from '../src/train/model.js';
import type { SurrogateSpec } from '../src/train/surrogates.js';

export const FIXTURE_DIR = join(__dirname, '..', '..', 'shared', 'fixtures', 'training');
export const FIXTURES = ['arctan', 'superspike', 'sigmoid', 'triangle', 'boxcar', 'arctan_learnable_beta'];

export function fixturesPresent(): boolean {
  const ok = existsSync(join(FIXTURE_DIR, 'rsnn_grad_arctan.json'));
  if (!ok) console.log(`train tests: skipping PyTorch reference checks: ${FIXTURE_DIR} is absent`);
  return ok;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface Fixture {
  raw: any; model: TrainModelSpec; params: TrainLayerParams[]; x: Float64Array; labels: Int32Array; T: number; B: number;
}

const flat = (a: any): number[] => (Array.isArray(a) ? a.flat(Infinity) : [a]);

export function loadFixture(name: string): Fixture {
  const raw = JSON.parse(readFileSync(join(FIXTURE_DIR, `rsnn_grad_${name}.json`), 'utf8'));
  const m = raw.model, sg = raw.surrogate;
  const base = name.replace('_learnable_beta', '');
  let surrogate: SurrogateSpec;
  const P = sg.params ?? sg;
  if (base === 'arctan') surrogate = { name: 'arctan', alpha: P.alpha };
  else if (base === 'superspike') surrogate = { name: 'superspike', k: P.k };
  else if (base === 'sigmoid') surrogate = { name: 'sigmoid', k: P.k };
  else if (base === 'triangle') surrogate = { name: 'triangle', width: P.w ?? P.width, height: 1 };
  else surrogate = { name: 'boxcar', width: P.w ?? P.width, height: P.h ?? P.height };
  const learn = !!m.beta_learnable;
  const model: TrainModelSpec = {
    inputSize: m.I, order: 'snntorch', surrogate,
    layers: [
      { size: m.H, cell: 'lif', recurrent: true, beta: m.beta, threshold: m.theta, learnBeta: learn },
      { size: m.O, cell: 'li', beta: m.beta_o },
    ],
  };
  const p = raw.params;
  const f32 = (a: any) => Float32Array.from(flat(a));
  const beta = Array.isArray(p.beta ?? m.beta) ? f32(p.beta ?? m.beta) : new Float32Array(m.H).fill(m.beta);
  const params: TrainLayerParams[] = [
    { weight: f32(p.W_in), bias: f32(p.b_in), recurrent: f32(p.W_rec), beta, threshold: new Float32Array(m.H).fill(m.theta) },
    { weight: f32(p.W_out), bias: f32(p.b_out), beta: new Float32Array(m.O).fill(m.beta_o), threshold: new Float32Array(m.O).fill(1) },
  ];
  return { raw, model, params, x: Float64Array.from(flat(raw.inputs.x)), labels: Int32Array.from(raw.inputs.labels), T: m.T, B: m.B };
}

/** f64 copies of the fixture's parameters (the reference then runs exactly on the stored doubles). */
export function fixtureParams64(f: Fixture): any[] {
  const p = f.raw.params, m = f.raw.model;
  const d = (a: any) => Float64Array.from(flat(a));
  const beta = Array.isArray(p.beta ?? m.beta) ? d(p.beta ?? m.beta) : new Float64Array(m.H).fill(m.beta);
  return [
    { weight: d(p.W_in), bias: d(p.b_in), recurrent: d(p.W_rec), beta, threshold: new Float64Array(m.H).fill(m.theta) },
    { weight: d(p.W_out), bias: d(p.b_out), beta: new Float64Array(m.O).fill(m.beta_o), threshold: new Float64Array(m.O).fill(1) },
  ];
}

/** max |a − b| / max |b|. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return m === 0 ? d : d / m;
}
export const flatten = flat;

/**
 * max|Δg|/max|g| of every gradient of the fixture's RSNN (W_in, b_in, W_rec, W_out, b_out and,
 * when learnt, beta) against the PyTorch gradients `raw.grads`.
 */
export function gradientErrors(grads: { weight: ArrayLike<number>; bias: ArrayLike<number>; recurrent?: ArrayLike<number>; beta?: ArrayLike<number> }[],
  raw: any): Record<string, number> {
  const errs: Record<string, number> = {
    W_in: relErr(grads[0].weight, flat(raw.W_in)), b_in: relErr(grads[0].bias, flat(raw.b_in)),
    W_rec: relErr(grads[0].recurrent!, flat(raw.W_rec)), W_out: relErr(grads[1].weight, flat(raw.W_out)),
    b_out: relErr(grads[1].bias, flat(raw.b_out)),
  };
  if (raw.beta) errs.beta = relErr(grads[0].beta!, flat(raw.beta));
  return errs;
}
