// Self-made graphs shared by the graph, NIR, .spk and CLI tests.
import type { GraphInit } from '../../src/index.js';

const w = (o: number, i: number, s = 0.1) => Array.from({ length: o }, (_, r) => Array.from({ length: i }, (_, c) => s * Math.sin(r * 7 + c)));

/** A graph with every NIR primitive, a recurrent loop, a nested graph and metadata. */
export function everyNodeGraph(): GraphInit {
  const sub: GraphInit = {
    nodes: [
      { name: 'input', type: 'Input', shape: [4] },
      { name: 'li', type: 'LI', tau: [0.02, 0.02, 0.03, 0.03], r: 1, vLeak: 0 },
      { name: 'output', type: 'Output', shape: [4] },
    ],
    edges: [['input', 'li'], ['li', 'output']],
  };
  return {
    nodes: [
      { name: 'in', type: 'Input', shape: [2, 6, 6] },
      { name: 'conv', type: 'Conv2d', weight: { shape: [3, 2, 3, 3], data: Float32Array.from({ length: 54 }, (_, i) => Math.cos(i) * 0.3) },
        bias: [0.1, 0, -0.1], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1, inputShape: [6, 6] },
      { name: 'if', type: 'IF', r: 1, vThreshold: 0.5, vReset: 0 },
      { name: 'pool', type: 'AvgPool2d', kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] },
      { name: 'sum', type: 'SumPool2d', kernelSize: [3, 3], stride: [3, 3], padding: [0, 0] },
      { name: 'flat', type: 'Flatten', startDim: 0, endDim: -1, inputType: [3, 1, 1] },
      { name: 'lin.1', type: 'Linear', weight: w(4, 3, 1) },
      { name: 'scale', type: 'Scale', scale: [1, 2, 1, 2] },
      { name: 'cuba', type: 'CubaLIF', tauSyn: 0.005, tauMem: 0.01, r: 1, vLeak: 0, vThreshold: 1, vReset: 0, wIn: 1 },
      { name: 'rec', type: 'Affine', weight: w(4, 4), bias: [0, 0.01, 0, 0] },
      { name: 'delay', type: 'Delay', delay: [0.001, 0.002, 0, 0.001] },
      { name: 'thr', type: 'Threshold', threshold: 0.5 },
      { name: 'integ', type: 'I', r: 1 },
      { name: 'cli', type: 'CubaLI', tauSyn: 0.004, tauMem: 0.02, r: 2, vLeak: 0.1 },
      { name: 'lif', type: 'LIF', tau: 0.02, r: 1, vLeak: 0, vThreshold: 0.2, metadata: { note: 'per-node metadata' } },
      { name: 'conv1', type: 'Conv1d', weight: { shape: [1, 1, 2], data: [0.5, 0.5] }, bias: [0], stride: [1], padding: 'same', dilation: [1], groups: 1, inputShape: [4] },
      { name: 'sub', type: 'NIRGraph', graph: sub },
      { name: 'out', type: 'Output', shape: [4] },
    ],
    edges: [
      ['in', 'conv'], ['conv', 'if'], ['if', 'pool'], ['pool', 'sum'], ['sum', 'flat'], ['flat', 'lin.1'], ['lin.1', 'scale'],
      ['scale', 'cuba'], ['cuba', 'rec'], ['rec', 'cuba'], ['cuba', 'delay'], ['delay', 'thr'], ['thr', 'integ'],
      ['integ', 'cli'], ['cli', 'lif'], ['lif', 'conv1'], ['conv1', 'sub.input'], ['sub.output', 'out'],
    ],
    metadata: { producer: 'spikelet tests', dt: 1e-3 },
  };
}

