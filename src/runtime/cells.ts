// Forward-Euler constants of each cell (docs/numerics.md). One step of dt turns
//   τ dv/dt = (v_leak − v) + r·I      into   v' = α·v + β·I + γ,
//   α = 1 − dt/τ,  β = dt·r/τ,  γ = dt·v_leak/τ;
// IF (dv/dt = r·I): α = 1, β = dt·r, γ = 0; CuBaLIF's synapse (τ_syn dI/dt = −I + w_in·x):
//   I' = α_syn·I + β_syn·x,  α_syn = 1 − dt/τ_syn,  β_syn = dt·w_in/τ_syn,
// and its membrane takes the updated current I'. The f32 kernels use these constants as they
// are; the quantizer folds them into integer ones.
import type { Block } from './network.js';

/** Per-neuron float constants of one cell. */
export interface CellConstants {
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
  readonly gamma: Float64Array;
  /** CuBaLIF only. */
  readonly synAlpha?: Float64Array;
  readonly synBeta?: Float64Array;
}

/** Derives the Euler constants of a validated block for step `dt` (seconds). */
export function cellConstants(b: Block, dt: number): CellConstants {
  const n = b.n;
  const alpha = new Float64Array(n), beta = new Float64Array(n), gamma = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (b.kind === 'if') {
      alpha[i] = 1;
      beta[i] = dt * b.r[i];
      gamma[i] = 0;
    } else {
      const k = dt / b.tau[i];
      alpha[i] = 1 - k;
      beta[i] = k * b.r[i];
      gamma[i] = k * b.vLeak[i];
    }
  }
  if (b.kind !== 'cubalif') return { alpha, beta, gamma };
  const synAlpha = new Float64Array(n), synBeta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = dt / b.tauSyn[i];
    synAlpha[i] = 1 - k;
    synBeta[i] = k * b.wIn[i];
  }
  return { alpha, beta, gamma, synAlpha, synBeta };
}

/** Pads `n` up to the plan's lane multiple (16: one v128 of spike bytes). */
export function pad16(n: number): number {
  return (n + 15) & ~15;
}
