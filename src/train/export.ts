// Trained parameters → the NetworkSpec that `compile` takes (NIR names, seconds). Training
// uses discrete-time constants; one Euler step of dt in the Plan is v' = α·v + β·I + γ with
// α = 1 − dt/τ, β = dt·r/τ (src/runtime/cells.ts). Choosing τ = dt/(1 − β_train) and r = τ/dt
// gives α = β_train and β = 1, i.e. exactly the training update v' = β_train·v + I.
// CuBaLIF likewise: τ_syn = dt/(1 − β_syn), w_in = τ_syn/dt. A neuron with β_train = 1 has no
// finite τ and becomes IF (r = 1/dt). The Plan fires from the updated membrane and resets in the
// same step: layers trained with another spike order (snntorch, spyx) would behave differently
// there, so they are refused unless `allowOrderChange` is set; ALIF has no Plan cell.
import { SpikeletError } from '../errors.js';
import type { CellSpec, LayerSpec, NetworkSpec } from '../runtime/network.js';
import type { ResolvedModel, TrainLayerParams } from './model.js';

/** Options of {@link exportNetwork}. */
export interface ExportOptions {
  /** Export layers trained with the snntorch or spyx order anyway (they will fire differently). */
  readonly allowOrderChange?: boolean;
}

/**
 * Builds the deployment NetworkSpec of a trained model.
 * @param model The resolved model.
 * @param params Its trained parameters.
 * @param options See {@link ExportOptions}.
 * @returns A NetworkSpec (plain arrays, JSON-serialisable) that `compile` accepts.
 * @throws SpikeletError 'unsupported' for ALIF layers or (without allowOrderChange) non-spikelet orders.
 */
export function exportNetwork(model: ResolvedModel, params: readonly TrainLayerParams[], options: ExportOptions = {}): NetworkSpec {
  const dt = model.dt;
  const layers: LayerSpec[] = [];
  model.layers.forEach((l, i) => {
    const p = params[i];
    const f = `model.layers[${i}]`;
    if (l.cell === 'alif') throw new SpikeletError('unsupported', 'exportNetwork', `${f}.cell`, 'lif, if, cubalif or li (the Plan has no adaptive-threshold cell)', 'alif');
    if (l.order !== 'spikelet' && l.spiking && !options.allowOrderChange) {
      throw new SpikeletError('unsupported', 'exportNetwork', `${f}.order`, "'spikelet' (the Plan's order; pass allowOrderChange to export anyway)", l.order);
    }
    layers.push({ type: 'linear', outFeatures: l.n, weight: Array.from(p.weight), bias: Array.from(p.bias) });
    const tauOf = (b: number) => dt / (1 - b);
    const isIf = l.cell === 'if' || (l.cell === 'lif' && p.beta.every((b) => b >= 1));
    const common = {
      ...(l.recurrent ? { recurrent: Array.from(p.recurrent!) } : {}),
    };
    if (l.cell === 'li') {
      if (p.beta.some((b) => b >= 1)) throw new SpikeletError('unsupported', 'exportNetwork', `${f}.beta`, 'decays < 1 for an li readout', 1);
      const tau = Array.from(p.beta, tauOf);
      layers.push({ type: 'li', tau, r: tau.map((t) => t / dt), ...common } as CellSpec);
      return;
    }
    const spiking = { vThreshold: Array.from(p.threshold), reset: l.reset, ...common };
    if (isIf) {
      layers.push({ type: 'if', r: 1 / dt, ...spiking } as CellSpec);
    } else if (l.cell === 'cubalif') {
      if (p.beta.some((b) => b >= 1) || p.betaSyn!.some((b) => b >= 1)) {
        throw new SpikeletError('unsupported', 'exportNetwork', `${f}.beta`, 'decays < 1 for cubalif', 1);
      }
      const tauMem = Array.from(p.beta, tauOf), tauSyn = Array.from(p.betaSyn!, tauOf);
      layers.push({ type: 'cubalif', tauMem, tauSyn, r: tauMem.map((t) => t / dt), wIn: tauSyn.map((t) => t / dt), ...spiking } as CellSpec);
    } else {
      // a mix of β = 1 and β < 1 in one LIF layer: clamp β = 1 to the nearest f32 below 1
      const tau = Array.from(p.beta, (b) => tauOf(Math.min(b, 1 - 2 ** -24)));
      layers.push({ type: 'lif', tau, r: tau.map((t) => t / dt), ...spiking } as CellSpec);
    }
  });
  return { inputSize: model.inputSize, dt, layers };
}
