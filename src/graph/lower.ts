// Graph → NetworkSpec (src/runtime/network.ts), the layer list `compile` takes. A graph lowers
// when it is a chain from its one Input to its one Output:
//   Linear / Affine        → linear (Affine's bias as the bias)
//   Conv2d                 → conv2d;  SumPool2d / AvgPool2d → sumpool2d / avgpool2d;  Flatten → flatten
//   LIF / CubaLIF / IF / LI → the cell of the same name (an identity linear is inserted before a
//                            cell that follows no linear or conv)
//   a Linear / Affine whose only input and only output is one cell → that cell's `recurrent`
//                            weights (an Affine's bias is added to the cell's feed-forward bias)
// Anything else (branches, Delay, Threshold, I, CubaLI, Scale, Conv1d) throws 'unsupported',
// naming the node: the float simulator (simulate.ts) runs every graph.
import { SpikeletError } from '../errors.js';
import type { CellSpec, LayerSpec, NetworkSpec } from '../runtime/network.js';
import { squeezeTo } from './shapes.js';
import { graphDt } from './simulate.js';
import { compact, expand, sizeOf } from './tensor.js';
import type { Graph, GraphNode, ResetMode } from './types.js';
import { analyzeGraph } from './validate.js';

/** Options of {@link graphToNetwork}. */
export interface LowerOptions {
  /** Time step in seconds (default: `graph.metadata.dt` when a number, else 1e-4 as for NIR imports). */
  readonly dt?: number;
  /** Reset of spiking nodes without their own `reset` (default 'zero', NIR's definition). */
  readonly reset?: ResetMode;
}

const CELL_TYPES = new Set(['LIF', 'CubaLIF', 'IF', 'LI']);

/**
 * Lowers a chain-shaped Graph to the layer list that `compile` takes.
 * @param graph The graph (validated here).
 * @param options dt and the default reset mode.
 * @returns A NetworkSpec with NIR's parameters (tau, r, v_leak, v_threshold in seconds and volts) per neuron.
 * @throws SpikeletError 'unsupported' naming the first node that has no NetworkSpec equivalent.
 */
export function graphToNetwork(graph: Graph, options: LowerOptions = {}): NetworkSpec {
  const where = 'graphToNetwork';
  const { flat, shapes } = analyzeGraph(graph, where);
  const dt = graphDt(graph, options.dt);
  const reset = options.reset ?? 'zero';
  const byName = new Map(flat.nodes.map((n) => [n.name, n]));
  const succ = (n: string) => flat.edges.filter((e) => e[0] === n).map((e) => e[1]);
  const pred = (n: string) => flat.edges.filter((e) => e[1] === n).map((e) => e[0]);
  const inputs = flat.nodes.filter((n) => n.type === 'Input');
  const outputs = flat.nodes.filter((n) => n.type === 'Output');
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new SpikeletError('unsupported', where, 'graph', 'exactly one Input and one Output node', `${inputs.length} Input, ${outputs.length} Output`);
  }
  // Recurrent connections: a Linear/Affine between a cell's output and its own input.
  const recurrentOf = new Map<string, GraphNode>();
  for (const n of flat.nodes) {
    if (n.type !== 'Linear' && n.type !== 'Affine') continue;
    const p = pred(n.name), s = succ(n.name);
    if (p.length === 1 && s.length === 1 && p[0] === s[0] && CELL_TYPES.has(byName.get(p[0])!.type)) recurrentOf.set(p[0], n);
  }
  const recurrentNodes = new Set([...recurrentOf.values()].map((n) => n.name));

  const layers: LayerSpec[] = [];
  let cur = inputs[0].name;
  const visited = new Set<string>();
  for (;;) {
    const next = succ(cur).filter((s) => !recurrentNodes.has(s) && s !== cur);
    if (next.length !== 1) {
      throw new SpikeletError('unsupported', where, `nodes.${cur}`, 'a chain: exactly one successor per node', `${next.length} successors (${next.join(', ')})`);
    }
    const node = byName.get(next[0])!;
    const at = `nodes.${node.name}`;
    if (visited.has(node.name)) throw new SpikeletError('unsupported', where, at, 'a chain without feed-forward cycles', 'a cycle');
    visited.add(node.name);
    const extra = pred(node.name).filter((p) => p !== cur && recurrentOf.get(node.name)?.name !== p);
    if (extra.length > 0) throw new SpikeletError('unsupported', where, `${at}.inputs`, `one input (${cur})`, extra.join(', '));
    const n = sizeOf(shapes.output.get(node.name)!);
    const nIn = sizeOf(shapes.output.get(cur)!);
    const prevLayer = layers[layers.length - 1];
    switch (node.type) {
      case 'Output':
        if (!prevLayer || !['lif', 'cubalif', 'if', 'li'].includes(prevLayer.type)) {
          throw new SpikeletError('unsupported', where, at, 'an Output fed by a cell (LIF, CubaLIF, IF or LI)', byName.get(cur)!.type);
        }
        break;
      case 'Linear':
      case 'Affine':
        layers.push({
          type: 'linear', outFeatures: n, weight: node.weight.data,
          ...(node.type === 'Affine' ? { bias: expand(node.bias, n, 0, where, `${at}.bias`).slice() } : {}),
        });
        break;
      case 'Conv2d': {
        const g = shapes.geometry.get(node.name)!;
        if (g.padLo.some((p, i) => p !== g.padHi[i])) {
          throw new SpikeletError('unsupported', where, `${at}.padding`, 'symmetric padding', node.padding);
        }
        layers.push({
          type: 'conv2d', outChannels: node.weight.shape[0], kernelSize: [g.kernel[0], g.kernel[1]], weight: node.weight.data,
          stride: [g.stride[0], g.stride[1]], padding: [g.padLo[0], g.padLo[1]], dilation: [g.dilation[0], g.dilation[1]],
          groups: node.groups ?? 1, ...(node.bias ? { bias: compact(expand(node.bias, node.weight.shape[0], 0, where, `${at}.bias`)) } : {}),
        });
        break;
      }
      case 'SumPool2d':
      case 'AvgPool2d': {
        const g = shapes.geometry.get(node.name)!;
        layers.push({ type: node.type === 'SumPool2d' ? 'sumpool2d' : 'avgpool2d', kernelSize: [g.kernel[0], g.kernel[1]],
          stride: [g.stride[0], g.stride[1]], padding: [g.padLo[0], g.padLo[1]] });
        break;
      }
      case 'Flatten':
        layers.push({ type: 'flatten' });
        break;
      case 'LIF':
      case 'CubaLIF':
      case 'IF':
      case 'LI': {
        if (!prevLayer || (prevLayer.type !== 'linear' && prevLayer.type !== 'conv2d')) {
          // The Plan pairs every cell with a weight layer: insert the identity.
          const eye = new Float32Array(n * n);
          for (let i = 0; i < n; i++) eye[i * n + i] = 1;
          if (nIn !== n) throw new SpikeletError('shape_mismatch', where, `${at}.input`, `${n} elements`, nIn);
          layers.push({ type: 'linear', outFeatures: n, weight: eye });
        }
        const cell = cellSpec(node, n, reset, where);
        const rec = recurrentOf.get(node.name);
        if (rec && (rec.type === 'Linear' || rec.type === 'Affine')) {
          const ff = layers[layers.length - 1];
          if (rec.type === 'Affine') {
            if (ff.type !== 'linear') {
              throw new SpikeletError('unsupported', where, `nodes.${rec.name}.bias`, 'a recurrent bias on a cell fed by a Linear/Affine', ff.type);
            }
            const b = expand(rec.bias, n, 0, where, `nodes.${rec.name}.bias`);
            const sum = new Float32Array(n);
            const b0 = ff.bias === undefined ? undefined : typeof ff.bias === 'number' ? new Float32Array(n).fill(ff.bias) : ff.bias;
            for (let i = 0; i < n; i++) sum[i] = Math.fround((b0 ? Number(b0[i]) : 0) + b[i]);
            layers[layers.length - 1] = { ...ff, bias: sum };
          }
          layers.push({ ...cell, recurrent: rec.weight.data } as CellSpec);
        } else layers.push(cell);
        break;
      }
      default:
        throw new SpikeletError('unsupported', where, `${at}.type`, 'Linear, Affine, Conv2d, SumPool2d, AvgPool2d, Flatten, LIF, CubaLIF, IF or LI in a chain', node.type);
    }
    if (node.type === 'Output') break;
    cur = node.name;
  }
  const inShape = squeezeTo(inputs[0].shape, 3);
  return {
    inputSize: sizeOf(inputs[0].shape),
    ...(inShape.length === 3 ? { inputShape: [inShape[0], inShape[1], inShape[2]] as const } : {}),
    dt,
    layers,
  };
}

function cellSpec(node: GraphNode, n: number, reset: ResetMode, where: string): CellSpec {
  const at = `nodes.${node.name}`;
  const p = (t: Parameters<typeof expand>[0], dflt: number, field: string) => compact(expand(t, n, dflt, where, `${at}.${field}`));
  switch (node.type) {
    case 'LIF':
      return { type: 'lif', tau: p(node.tau, 1, 'tau'), r: p(node.r, 1, 'r'), vLeak: p(node.vLeak, 0, 'v_leak'),
        vThreshold: p(node.vThreshold, 1, 'v_threshold'), vReset: p(node.vReset, 0, 'v_reset'), reset: node.reset ?? reset };
    case 'CubaLIF':
      return { type: 'cubalif', tauSyn: p(node.tauSyn, 1, 'tau_syn'), tauMem: p(node.tauMem, 1, 'tau_mem'), r: p(node.r, 1, 'r'),
        vLeak: p(node.vLeak, 0, 'v_leak'), vThreshold: p(node.vThreshold, 1, 'v_threshold'), vReset: p(node.vReset, 0, 'v_reset'),
        wIn: p(node.wIn, 1, 'w_in'), reset: node.reset ?? reset };
    case 'IF':
      return { type: 'if', r: p(node.r, 1, 'r'), vThreshold: p(node.vThreshold, 1, 'v_threshold'), vReset: p(node.vReset, 0, 'v_reset'),
        reset: node.reset ?? reset };
    case 'LI':
      return { type: 'li', tau: p(node.tau, 1, 'tau'), r: p(node.r, 1, 'r'), vLeak: p(node.vLeak, 0, 'v_leak') };
    default:
      throw new SpikeletError('unsupported', where, `${at}.type`, 'a cell', node.type);
  }
}
