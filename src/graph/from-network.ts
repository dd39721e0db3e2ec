// NetworkSpec → Graph, so a network converted, trained or evolved in spikelet can be written as
// NIR or as a float .spk and read back with `graphToNetwork` (the inverse of lower.ts): linear,
// conv2d, sum/avg pooling, flatten, the four cells, and recurrent weights as NIR exporters write
// them — a Linear node from the cell's output back into the cell's input.
import { createGraph, type NodeInit } from './create.js';
import type { Graph } from './types.js';
import { validateNetwork, type NetworkSpec } from '../runtime/network.js';

/**
 * Describes a NetworkSpec as a Graph: Input → (Affine | Conv2d | pooling | Flatten | cell)* →
 * Output (plus a `<cell>.rec` Linear node and a back edge for each recurrent cell), every
 * parameter per neuron, the spikelet reset mode on each cell and `dt` in the graph metadata.
 * @param spec A valid network (checked here).
 * @param metadata Extra graph metadata (JSON values: strings, numbers, booleans).
 * @returns A Graph that `graphToNetwork` lowers back to an equivalent spec.
 * @example
 * const graph = networkToGraph(converted.spec, { source: 'digits_mlp.onnx' });
 * writeFileSync('snn.nir', await writeNir(graph));
 */
export function networkToGraph(spec: NetworkSpec, metadata: Readonly<Record<string, unknown>> = {}): Graph {
  const net = validateNetwork(spec, 'networkToGraph');
  const nodes: NodeInit[] = [{ name: 'input', type: 'Input', shape: spec.inputShape ? [...spec.inputShape] : [spec.inputSize] }];
  let shape: readonly number[] = spec.inputShape ? [...spec.inputShape] : [spec.inputSize];
  let blockIndex = 0;
  const recurrent: { cell: string; node: NodeInit }[] = [];
  spec.layers.forEach((l, i) => {
    const name = `${l.type}${i}`;
    switch (l.type) {
      case 'linear': {
        const b = net.blocks[blockIndex];
        nodes.push({ name, type: 'Affine', weight: { shape: [b.n, b.inN], data: b.weight }, bias: { shape: [b.n], data: Float32Array.from(b.bias) } });
        shape = [b.n];
        break;
      }
      case 'conv2d': {
        const b = net.blocks[blockIndex];
        const g = b.conv!;
        const outC = g.outShape[0];
        const bias = new Float32Array(outC);
        for (let c = 0; c < outC; c++) bias[c] = b.bias[c * g.outShape[1] * g.outShape[2]];
        nodes.push({
          name, type: 'Conv2d', weight: { shape: [outC, g.inShape[0], g.kernel[0], g.kernel[1]], data: b.weight },
          bias: { shape: [outC], data: bias }, stride: [...g.stride], padding: [...g.padding], dilation: [...g.dilation], groups: 1,
          inputShape: [g.inShape[1], g.inShape[2]],
        });
        shape = g.outShape;
        break;
      }
      case 'sumpool2d':
      case 'avgpool2d': {
        const k = [...l.kernelSize], s = l.stride ? [...l.stride] : k, p = l.padding ? [...l.padding] : [0, 0];
        nodes.push({ name, type: l.type === 'sumpool2d' ? 'SumPool2d' : 'AvgPool2d', kernelSize: k, stride: s, padding: p });
        const oh = Math.floor((shape[1] + 2 * p[0] - k[0]) / s[0]) + 1, ow = Math.floor((shape[2] + 2 * p[1] - k[1]) / s[1]) + 1;
        shape = [shape[0], oh, ow];
        break;
      }
      case 'flatten':
        nodes.push({ name, type: 'Flatten', startDim: 0, endDim: -1, inputType: [...shape] });
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'if':
      case 'lif':
      case 'cubalif':
      case 'li': {
        const b = net.blocks[blockIndex++];
        const t = (a: Float64Array) => ({ shape: [b.n], data: Float32Array.from(a) });
        const reset = b.reset === 'zero' ? 'zero' : 'subtract';
        if (b.recurrent) recurrent.push({ cell: name, node: { name: `${name}.rec`, type: 'Linear', weight: { shape: [b.n, b.n], data: b.recurrent } } });
        if (l.type === 'if') nodes.push({ name, type: 'IF', r: t(b.r), vThreshold: t(b.vThreshold), vReset: t(b.vReset), reset });
        else if (l.type === 'lif') nodes.push({ name, type: 'LIF', tau: t(b.tau), r: t(b.r), vLeak: t(b.vLeak), vThreshold: t(b.vThreshold), vReset: t(b.vReset), reset });
        else if (l.type === 'cubalif') {
          nodes.push({ name, type: 'CubaLIF', tauSyn: t(b.tauSyn), tauMem: t(b.tau), r: t(b.r), vLeak: t(b.vLeak), vThreshold: t(b.vThreshold), vReset: t(b.vReset), wIn: t(b.wIn), reset });
        } else nodes.push({ name, type: 'LI', tau: t(b.tau), r: t(b.r), vLeak: t(b.vLeak) });
        shape = b.conv ? b.conv.outShape : [b.n];
        break;
      }
    }
  });
  nodes.push({ name: 'output', type: 'Output', shape: [...shape] });
  const edges: (readonly [string, string])[] = nodes.slice(1).map((n, k) => [nodes[k].name, n.name] as const);
  for (const r of recurrent) {
    nodes.push(r.node);
    edges.push([r.cell, r.node.name], [r.node.name, r.cell]);
  }
  return createGraph({ nodes, edges, metadata: { dt: net.dt, ...metadata } }, 'networkToGraph');
}
