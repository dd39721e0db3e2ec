// The structure of a NetworkSpec without its float parameters: layer types, sizes, conv/pool
// geometry, reset, leak, refractory period, which cells are recurrent. A quantized .spk stores
// it next to the integer model, because the integer blocks alone do not say how a conv layer's
// inputs are laid out; rebuilding a spec from it (with placeholder floats) gives the Plan the
// block geometry while every number that runs comes from the stored integers.
import type { LayerSpec, NetworkSpec } from '../../runtime/network.js';

/** One layer of a {@link NetworkSkeleton}: structural fields only. */
export type LayerSkeleton = Readonly<Record<string, unknown>> & { readonly type: LayerSpec['type'] };

/** A NetworkSpec's structure (JSON). */
export interface NetworkSkeleton {
  readonly inputSize: number;
  readonly inputShape?: readonly [number, number, number];
  readonly dt: number;
  readonly layers: readonly LayerSkeleton[];
}

const STRUCTURAL = ['outFeatures', 'outChannels', 'kernelSize', 'stride', 'padding', 'dilation', 'groups', 'reset', 'leak', 'refractory'];

/** Keeps the structure of a spec, dropping weights and neuron constants. */
export function networkSkeleton(spec: NetworkSpec): NetworkSkeleton {
  return {
    inputSize: spec.inputSize, ...(spec.inputShape ? { inputShape: spec.inputShape } : {}), dt: spec.dt ?? 1e-3,
    layers: spec.layers.map((l) => {
      const r = l as unknown as Record<string, unknown>;
      const out: Record<string, unknown> = { type: l.type };
      for (const k of STRUCTURAL) if (r[k] !== undefined) out[k] = r[k];
      if (r.recurrent !== undefined) out.recurrent = true;
      return out as LayerSkeleton;
    }),
  };
}

/**
 * A spec with the skeleton's structure and placeholder parameters (zero weights, τ = 2·dt,
 * threshold 1): valid for `validateNetwork`, meaningless as a float model.
 */
export function skeletonToSpec(s: NetworkSkeleton): NetworkSpec {
  let inN = s.inputSize;
  let shape = s.inputShape ? [...s.inputShape] : undefined;
  const tau = 2 * s.dt;
  const layers = s.layers.map((l) => {
    const r = l as Record<string, unknown>;
    switch (l.type) {
      case 'linear': {
        const n = r.outFeatures as number;
        const w = new Float32Array(n * inN);
        inN = n;
        return { type: 'linear', outFeatures: n, weight: w } as LayerSpec;
      }
      case 'conv2d': {
        const [kh, kw] = r.kernelSize as [number, number];
        const c = r.outChannels as number;
        const cin = shape ? shape[0] : 1;
        const st = (r.stride as [number, number] | undefined) ?? [1, 1], p = (r.padding as [number, number] | undefined) ?? [0, 0];
        const d = (r.dilation as [number, number] | undefined) ?? [1, 1];
        if (shape) {
          const oh = Math.floor((shape[1] + 2 * p[0] - d[0] * (kh - 1) - 1) / st[0]) + 1;
          const ow = Math.floor((shape[2] + 2 * p[1] - d[1] * (kw - 1) - 1) / st[1]) + 1;
          shape = [c, oh, ow];
          inN = c * oh * ow;
        }
        return { ...r, weight: new Float32Array(c * (cin / ((r.groups as number) ?? 1)) * kh * kw) } as unknown as LayerSpec;
      }
      case 'sumpool2d':
      case 'avgpool2d': {
        if (shape) {
          const [kh, kw] = r.kernelSize as [number, number];
          const st = (r.stride as [number, number] | undefined) ?? [kh, kw], p = (r.padding as [number, number] | undefined) ?? [0, 0];
          shape = [shape[0], Math.floor((shape[1] + 2 * p[0] - kh) / st[0]) + 1, Math.floor((shape[2] + 2 * p[1] - kw) / st[1]) + 1];
          inN = shape[0] * shape[1] * shape[2];
        }
        return { ...r } as unknown as LayerSpec;
      }
      case 'flatten':
        shape = undefined;
        return { type: 'flatten' } as LayerSpec;
      default: {
        const cell: Record<string, unknown> = { ...r, tau, tauMem: tau, tauSyn: tau };
        if (r.recurrent) cell.recurrent = new Float32Array(inN * inN);
        else delete cell.recurrent;
        if (l.type !== 'lif' && l.type !== 'li') delete cell.tau;
        if (l.type !== 'cubalif') { delete cell.tauMem; delete cell.tauSyn; }
        return cell as unknown as LayerSpec;
      }
    }
  });
  return { inputSize: s.inputSize, ...(s.inputShape ? { inputShape: s.inputShape } : {}), dt: s.dt, layers };
}
