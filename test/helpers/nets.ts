// Random networks for plan tests: every cell type, recurrence, and weights large enough that
// layers actually spike (and, with `drive` > 1, saturate the int16 state).
import type { NetworkSpec, LayerSpec, CellSpec } from '../../src/index.js';
import { floats } from './random.js';

export interface RandomNetOptions {
  sizes: number[];                 // [inputs, n1, n2, ...]
  cells: CellSpec['type'][];       // one per layer
  recurrent?: boolean[];
  drive?: number;                  // scales every weight
  reset?: 'subtract' | 'zero';
  leak?: 'multiply' | 'shift';
  refractory?: number;
  dt?: number;
}

export function randomNet(r: () => number, o: RandomNetOptions): NetworkSpec {
  const layers: LayerSpec[] = [];
  const drive = o.drive ?? 1;
  for (let l = 1; l < o.sizes.length; l++) {
    const n = o.sizes[l], inN = o.sizes[l - 1];
    // Gain so that a typical input pattern pushes membranes across threshold now and then:
    // dt/τ = 0.1, so currents of ~10× threshold per step are needed.
    layers.push({ type: 'linear', outFeatures: n, weight: floats(r, n * inN, (drive * 30) / Math.sqrt(inN)), bias: floats(r, n, 0.5) });
    const kind = o.cells[l - 1];
    const rec = o.recurrent?.[l - 1] ? floats(r, n * n, (drive * 10) / Math.sqrt(n)) : undefined;
    const common = { reset: o.reset, refractory: o.refractory, recurrent: rec, vThreshold: 1 + r() };
    if (kind === 'lif') layers.push({ type: 'lif', tau: 0.01, leak: o.leak, vLeak: 0.1, ...common });
    else if (kind === 'cubalif') layers.push({ type: 'cubalif', tauSyn: 0.005, tauMem: 0.01, leak: o.leak, ...common });
    else if (kind === 'if') layers.push({ type: 'if', r: 50, ...common });
    else layers.push({ type: 'li', tau: 0.02, recurrent: rec });
  }
  return { inputSize: o.sizes[0], dt: o.dt ?? 1e-3, layers };
}
