// The Graph: construction and validation errors, schedule with recurrence, shapes, the float
// simulator's hand-worked trajectories, and the lowering to a NetworkSpec.
import { describe, expect, it } from 'vitest';
import {
  analyzeGraph, createGraph, flattenGraph, graphToNetwork, simulate, Simulator, SpikeletError, type GraphInit,
} from '../src/index.js';

const lifChain = (extra: Partial<Record<string, unknown>> = {}): GraphInit => ({
  nodes: [
    { name: 'in', type: 'Input', shape: [2] },
    { name: 'fc', type: 'Linear', weight: [[1, 0], [0, 2]] },
    { name: 'lif', type: 'LIF', tau: 0.01, r: 1, vLeak: 0, vThreshold: 1, ...extra },
    { name: 'out', type: 'Output', shape: [2] },
  ],
  edges: [['in', 'fc'], ['fc', 'lif'], ['lif', 'out']],
});

function expectError(f: () => unknown, code: string, field: RegExp): SpikeletError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SpikeletError);
    const err = e as SpikeletError;
    expect(err.code).toBe(code);
    expect(err.field).toMatch(field);
    return err;
  }
  throw new Error('expected a SpikeletError');
}

describe('createGraph', () => {
  it('normalises loose values into float32 tensors and keeps 0-d vs [1] shapes', () => {
    const g = createGraph({ ...lifChain(), nodes: lifChain().nodes.map((n) => (n.name === 'lif' ? { ...n, tau: [0.01] } : n)) });
    const lif = g.nodes.find((n) => n.name === 'lif')!;
    expect(lif.type).toBe('LIF');
    if (lif.type !== 'LIF') return;
    expect(lif.tau.shape).toEqual([1]);
    expect(lif.r.shape).toEqual([]);
    expect(lif.tau.data).toBeInstanceOf(Float32Array);
  });

  it('names the node and field of a missing required parameter', () => {
    const init = lifChain();
    const nodes = init.nodes.map((n) => (n.name === 'lif' ? { name: 'lif', type: 'LIF', tau: 0.01, r: 1, vLeak: 0 } : n));
    const e = expectError(() => createGraph({ ...init, nodes }), 'invalid_param', /^nodes\.lif\.v_threshold$/);
    expect(e.message).toContain('nodes.lif.v_threshold');
  });

  it('rejects unknown types, non-finite values, absurd shapes and bad edges', () => {
    const init = lifChain();
    expectError(() => createGraph({ ...init, nodes: [...init.nodes, { name: 'x', type: 'Banana' }] }), 'unsupported', /nodes\.x\.type/);
    expectError(() => createGraph(lifChain({ tau: NaN })), 'invalid_param', /nodes\.lif\.tau/);
    expectError(() => createGraph(lifChain({ tau: -0.01 })), 'invalid_param', /nodes\.lif\.tau\[0\]/);
    expectError(() => createGraph(lifChain({ tau: { shape: [1 << 20, 1 << 20], data: [1] } })), 'invalid_param', /nodes\.lif\.tau\.shape/);
    expectError(() => createGraph({ ...init, edges: [...init.edges, ['fc', 'nowhere']] }), 'invalid_param', /edges\[3\]\[1\]/);
  });

  it('checks parameter shapes against the data flowing in', () => {
    expectError(() => createGraph(lifChain({ vThreshold: [1, 1, 1] })), 'shape_mismatch', /nodes\.lif\.v_threshold/);
    const init = lifChain();
    const nodes = init.nodes.map((n) => (n.name === 'fc' ? { ...n, weight: [[1, 0, 0]] } : n));
    expectError(() => createGraph({ ...init, nodes }), 'shape_mismatch', /nodes\.fc\.weight/);
  });

  it('rejects a cycle through stateless nodes only, naming it', () => {
    const e = expectError(() => createGraph({
      nodes: [
        { name: 'in', type: 'Input', shape: [1] },
        { name: 'a', type: 'Linear', weight: [[1]] },
        { name: 'b', type: 'Linear', weight: [[1]] },
        { name: 'out', type: 'Output', shape: [1] },
      ],
      edges: [['in', 'a'], ['a', 'b'], ['b', 'a'], ['b', 'out']],
    }), 'invalid_param', /^edges$/);
    expect(e.message).toMatch(/a → b → a|b → a → b/);
  });
});

describe('schedule and shapes', () => {
  it('delays exactly the edge that closes a recurrent loop', () => {
    const g = createGraph({
      nodes: [
        { name: 'in', type: 'Input', shape: [3] },
        { name: 'fc', type: 'Affine', weight: new Array(4).fill([1, 0, 0]), bias: [0, 0, 0, 0] },
        { name: 'cell', type: 'CubaLIF', tauSyn: 0.005, tauMem: 0.01, r: 1, vLeak: 0, vThreshold: 1 },
        { name: 'rec', type: 'Linear', weight: new Array(4).fill([0.1, 0.1, 0.1, 0.1]) },
        { name: 'out', type: 'Output', shape: [4] },
      ],
      edges: [['rec', 'cell'], ['in', 'fc'], ['fc', 'cell'], ['cell', 'rec'], ['cell', 'out']],
    });
    const { schedule, shapes } = analyzeGraph(g);
    expect(schedule.delayedEdges).toBe(1);
    expect(schedule.inputs.get('cell')!.find((i) => i.source === 'rec')!.delayed).toBe(true);
    expect(shapes.output.get('rec')).toEqual([4]);
  });

  it('infers conv, pool and flatten shapes, including string padding and a baked batch dimension', () => {
    const g = createGraph({
      nodes: [
        { name: 'in', type: 'Input', shape: [1, 2, 9, 9] },
        { name: 'c', type: 'Conv2d', weight: { shape: [4, 2, 3, 3], data: new Float32Array(72).fill(0.1) }, bias: [0, 0, 0, 0], padding: 'same' },
        { name: 'if', type: 'IF', r: 1, vThreshold: 1 },
        { name: 'p', type: 'SumPool2d', kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] },
        { name: 'f', type: 'Flatten', startDim: 0, endDim: -1 },
        { name: 'out', type: 'Output', shape: [64] },
      ],
      edges: [['in', 'c'], ['c', 'if'], ['if', 'p'], ['p', 'f'], ['f', 'out']],
    });
    const { shapes } = analyzeGraph(g);
    expect(shapes.output.get('c')).toEqual([4, 9, 9]);
    expect(shapes.output.get('p')).toEqual([4, 4, 4]);
    expect(shapes.output.get('f')).toEqual([64]);
  });

  it('flattens nested graphs for execution', () => {
    const inner = lifChain();
    const g = createGraph({
      nodes: [
        { name: 'x', type: 'Input', shape: [2] },
        { name: 'sub', type: 'NIRGraph', graph: inner },
        { name: 'y', type: 'Output', shape: [2] },
      ],
      edges: [['x', 'sub.in'], ['sub.out', 'y']],
    });
    const flat = flattenGraph(g);
    expect(flat.nodes.map((n) => n.name)).toEqual(['x', 'sub.fc', 'sub.lif', 'y']);
    const seq = Float32Array.from({ length: 40 }, (_, i) => (i % 3) * 0.8);
    expect(simulate(g, seq, { dt: 1e-3 }).outputs.y).toEqual(simulate(createGraph(inner), seq, { dt: 1e-3 }).outputs.out);
  });
});

describe('simulator', () => {
  it('follows the hand-worked forward-Euler LIF trajectory, firing from the updated v then resetting', () => {
    // tau = 10 dt, r = 1, x = 1: v ← 0.9 v + 0.1 → 0.1, 0.19, 0.271, ... crosses 0.3 at step 3 (0.3439).
    const g = createGraph({
      nodes: [
        { name: 'in', type: 'Input', shape: [1] },
        { name: 'lif', type: 'LIF', tau: 0.01, r: 1, vLeak: 0, vThreshold: 0.3 },
        { name: 'out', type: 'Output', shape: [1] },
      ],
      edges: [['in', 'lif'], ['lif', 'out']],
    });
    for (const reset of ['zero', 'subtract'] as const) {
      const sim = new Simulator(g, { dt: 1e-3, reset });
      const vs: number[] = [], spikes: number[] = [];
      for (let t = 0; t < 5; t++) {
        spikes.push(sim.step([1]).out[0]);
        vs.push(sim.membrane('lif')[0]);
      }
      expect(spikes).toEqual([0, 0, 0, 1, 0]);
      expect(vs[0]).toBeCloseTo(0.1, 6);
      expect(vs[1]).toBeCloseTo(0.19, 6);
      expect(vs[2]).toBeCloseTo(0.271, 6);
      expect(vs[3]).toBeCloseTo(reset === 'zero' ? 0 : 0.3439 - 0.3, 5);
    }
  });

  it('runs Delay, Threshold, Scale and CubaLI nodes', () => {
    const g = createGraph({
      nodes: [
        { name: 'in', type: 'Input', shape: [1] },
        { name: 'd', type: 'Delay', delay: 0.003 },
        { name: 's', type: 'Scale', scale: 2 },
        { name: 'th', type: 'Threshold', threshold: 1 },
        { name: 'out', type: 'Output', shape: [1] },
      ],
      edges: [['in', 'd'], ['d', 's'], ['s', 'th'], ['th', 'out']],
    });
    const r = simulate(g, [1, 0, 0, 0, 0, 0], { dt: 1e-3 });
    expect(Array.from(r.outputs.out)).toEqual([0, 0, 0, 1, 0, 0]);
  });
});

describe('graphToNetwork', () => {
  it('maps a recurrent Affine to the cell\'s recurrent weights and adds its bias to the feed-forward bias', () => {
    const g = createGraph({
      nodes: [
        { name: 'in', type: 'Input', shape: [2] },
        { name: 'fc', type: 'Affine', weight: [[1, 0], [0, 1], [1, 1]], bias: [0.1, 0.2, 0.3] },
        { name: 'cell', type: 'CubaLIF', tauSyn: 0.005, tauMem: 0.01, r: 1, vLeak: 0, vThreshold: 1 },
        { name: 'rec', type: 'Affine', weight: [[0, 1, 0], [0, 0, 1], [1, 0, 0]], bias: [1, 1, 1] },
        { name: 'out', type: 'Output', shape: [3] },
      ],
      edges: [['in', 'fc'], ['fc', 'cell'], ['cell', 'rec'], ['rec', 'cell'], ['cell', 'out']],
    });
    const spec = graphToNetwork(g, { dt: 1e-3 });
    expect(spec.layers.map((l) => l.type)).toEqual(['linear', 'cubalif']);
    const lin = spec.layers[0] as { bias: Float32Array };
    expect(Array.from(lin.bias)).toEqual([1.1, 1.2, 1.3].map(Math.fround));
    expect((spec.layers[1] as { recurrent: Float32Array }).recurrent).toHaveLength(9);
    expect((spec.layers[1] as { reset: string }).reset).toBe('zero');
  });

  it('inserts an identity linear before a cell fed directly by the input, and refuses branches', () => {
    const g = createGraph({
      nodes: [
        { name: 'in', type: 'Input', shape: [2] },
        { name: 'lif', type: 'LIF', tau: 0.01, r: 1, vLeak: 0, vThreshold: 1 },
        { name: 'out', type: 'Output', shape: [2] },
      ],
      edges: [['in', 'lif'], ['lif', 'out']],
    });
    expect(Array.from((graphToNetwork(g).layers[0] as { weight: Float32Array }).weight)).toEqual([1, 0, 0, 1]);
    const branch = createGraph({
      nodes: [...lifChain().nodes, { name: 'out2', type: 'Output', shape: [2] }],
      edges: [...lifChain().edges, ['lif', 'out2']],
    });
    expectError(() => graphToNetwork(branch), 'unsupported', /graph|nodes\.lif/);
  });
});
